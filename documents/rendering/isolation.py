"""The pool of render worker processes every editor's template is rendered in, not the web one.

A template is code (security.md #4–6). The sandbox and its deadline stay the first line, inside
the worker; the worker is the second: its own process, with a CPU-time and an address-space
limit set by the operating system (``resource.setrlimit``), so that a computation holding
Python's lock, or one eating gigabytes, ends with the worker and not with the web process. The
parent waits a wall-clock bound per document, kills an overrunning or dead worker, starts a
new one and raises ``RenderLimitExceeded`` in French; the next document renders normally.

Workers are long-lived (one per ``PORTAL_RENDER_WORKERS``) and started lazily by
"forkserver", never by forking a threaded web process. A template is sent once per worker,
then named by its hash; its compiled form stays in the worker (``documents.rendering.compiled``'s
cache), so a zip of N documents compiles it once.

``render_docx`` and ``render_docx_many`` are the portal's entry points: every document is
rendered through them. A worker is a fork of the fork server, which set Django up and imported
this module first (``documents.rendering.render_boot``).
"""

from __future__ import annotations

import atexit
import hashlib
import multiprocessing
import os
import queue
import resource
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import django
from django.conf import settings

from documents.rendering.engine import render_docx_local
from documents.rendering.sandbox import DEFAULT_LIMITS, RenderLimitExceeded, RenderLimits

LIMIT_MESSAGE = (
    "Le modèle de document a dépassé les limites de temps ou de mémoire : le document n'a pas "
    "pu être produit. Signalez-le à la personne qui gère les modèles de ce formulaire."
)
WALL_MARGIN = 5.0  # seconds the parent waits beyond the sandbox deadline and the CPU limit
WORKER_TEMPLATES = 8  # templates each worker keeps by hash


def _settings() -> tuple[bool, float, int, int]:
    return (
        getattr(settings, "PORTAL_RENDER_ISOLATED", True),
        float(getattr(settings, "PORTAL_RENDER_CPU_SECONDS", 15)),
        int(getattr(settings, "PORTAL_RENDER_MEMORY_BYTES", 1024 * 1024 * 1024)),
        int(getattr(settings, "PORTAL_RENDER_WORKERS", 2)),
    )


# --- The worker -----------------------------------------------------------------------


def limit_address_space(memory_bytes: int) -> None:
    """Lets this process add at most ``memory_bytes`` of address space to what it uses now
    (the render workers, and the upload check's child)."""
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = used + memory_bytes
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _limit_cpu(cpu_seconds: float) -> None:
    """CPU time is counted over the worker's life: each document gets ``cpu_seconds`` more
    than the worker has used so far (SIGXCPU, whose default action ends the process)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(used + cpu_seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


_in_render_child = False  # True in a render worker and in the upload check's child


def mark_render_child() -> None:
    """This process is itself a bounded child: documents are rendered here, not sent on."""
    global _in_render_child
    _in_render_child = True


def _worker_main(connection, cpu_seconds: float, memory_bytes: int) -> None:
    mark_render_child()
    django.setup()  # done already by the fork server (render_boot): a no-op, kept as a guard
    limit_address_space(memory_bytes)
    templates: OrderedDict[str, bytes] = OrderedDict()
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        digest, data, contexts, limits = request
        if data is not None:
            templates[digest] = data
            while len(templates) > WORKER_TEMPLATES:
                templates.popitem(last=False)
        templates.move_to_end(digest)
        documents: list[bytes] = []
        try:
            for context in contexts:
                _limit_cpu(cpu_seconds)  # each document gets its own CPU allowance
                documents.append(
                    render_docx_local(template=templates[digest], context=context, limits=limits)
                )
            reply = ("ok", documents)
        except MemoryError:
            reply = ("limit", LIMIT_MESSAGE)
        except BaseException as exc:  # sent back and raised in the parent, as in-process
            try:
                reply = ("error", exc)
                connection.send(reply)
                continue
            except Exception:
                reply = ("error", RuntimeError(f"{type(exc).__name__} : {str(exc)[:300]}"))
        connection.send(reply)


# --- The parent -----------------------------------------------------------------------


@dataclass
class _Worker:
    process: Any
    connection: Any
    known: OrderedDict[str, None] = field(default_factory=OrderedDict)


class RenderPool:
    """Long-lived render workers; one document at a time per worker."""

    def __init__(self, *, workers: int, cpu_seconds: float, memory_bytes: int) -> None:
        self.size = workers
        self.cpu_seconds = cpu_seconds
        self.memory_bytes = memory_bytes
        self._context = multiprocessing.get_context("forkserver")
        # The fork server is single-threaded and imports Django once; each worker is a fork
        # of it (milliseconds), not of the threaded web process.
        self._context.set_forkserver_preload(["documents.rendering.render_boot"])
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._started = 0

    def _start_worker(self) -> _Worker:
        parent_end, child_end = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_worker_main,
            args=(child_end, self.cpu_seconds, self.memory_bytes),
            daemon=True,
            name="portal-render",
        )
        process.start()
        child_end.close()
        worker = _Worker(process=process, connection=parent_end)
        with self._lock:
            self._all.append(worker)
        return worker

    def _take(self) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            may_start = self._started < self.size
            if may_start:
                self._started += 1
        if may_start:
            return self._start_worker()
        return self._idle.get()

    def _discard(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.connection.close()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            self._started -= 1

    def pids(self) -> list[int]:
        with self._lock:
            return [worker.process.pid for worker in self._all]

    def render(self, *, template: bytes, context: dict[str, Any], limits: RenderLimits) -> bytes:
        return self.render_many(template=template, contexts=[context], limits=limits)[0]

    def render_many(
        self, *, template: bytes, contexts: list[dict[str, Any]], limits: RenderLimits
    ) -> list[bytes]:
        """The documents of ``contexts``, in order, in one round trip to one worker (what
        a zip asks: the pipe's cost is paid once per batch, not once per document)."""
        digest = hashlib.sha256(template).hexdigest()
        worker = self._take()
        healthy = False
        try:
            data = None if digest in worker.known else template
            worker.connection.send((digest, data, contexts, limits))
            worker.known[digest] = None
            while len(worker.known) > WORKER_TEMPLATES:
                worker.known.popitem(last=False)
            # Startup (Django's setup) is counted in the first document's wait.
            wait = (limits.seconds + self.cpu_seconds) * len(contexts) + WALL_MARGIN
            if not worker.connection.poll(wait):
                raise RenderLimitExceeded(LIMIT_MESSAGE)
            try:
                status, value = worker.connection.recv()
            except (EOFError, OSError) as exc:  # SIGXCPU, SIGKILL, out of memory
                raise RenderLimitExceeded(LIMIT_MESSAGE) from exc
            healthy = status != "limit"
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                self._discard(worker)
        if status == "ok":
            return value
        if status == "limit":
            raise RenderLimitExceeded(value)
        raise value

    def shutdown(self) -> None:
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            self._discard(worker)
        while True:
            try:
                self._idle.get_nowait()
            except queue.Empty:
                break


_pool: RenderPool | None = None
_pool_key: tuple | None = None
_pool_lock = threading.Lock()


def render_pool() -> RenderPool:
    """The process' pool, started on first use; a new one when the settings changed."""
    global _pool, _pool_key
    _, cpu_seconds, memory_bytes, workers = _settings()
    key = (cpu_seconds, memory_bytes, workers, os.getpid())
    with _pool_lock:
        if _pool is None or _pool_key != key:
            if _pool is not None and _pool_key[-1] == os.getpid():
                _pool.shutdown()
            _pool = RenderPool(workers=workers, cpu_seconds=cpu_seconds, memory_bytes=memory_bytes)
            _pool_key = key
        return _pool


def shutdown_pool() -> None:
    global _pool, _pool_key
    with _pool_lock:
        if _pool is not None and _pool_key[-1] == os.getpid():
            _pool.shutdown()
        _pool, _pool_key = None, None


atexit.register(shutdown_pool)


def render_isolated(*, template: bytes, context: dict[str, Any], limits: RenderLimits) -> bytes:
    """The document, rendered in a worker of the pool (or here, when isolation is off)."""
    isolated = _settings()[0]
    if not isolated or _in_render_child:
        # Off, or already in a child (a worker, the upload check's child): render here.
        return render_docx_local(template=template, context=context, limits=limits)
    return render_pool().render(template=template, context=context, limits=limits)


def render_many_isolated(
    *, template: bytes, contexts: list[dict[str, Any]], limits: RenderLimits
) -> list[bytes]:
    """The documents of ``contexts`` in one worker's round trip (or here, when isolation
    is off or this is already a render child)."""
    isolated = _settings()[0]
    if not isolated or _in_render_child:
        return [
            render_docx_local(template=template, context=context, limits=limits)
            for context in contexts
        ]
    return render_pool().render_many(template=template, contexts=contexts, limits=limits)


def render_docx(
    *, template: bytes, context: dict[str, Any], limits: RenderLimits = DEFAULT_LIMITS
) -> bytes:
    """The document of ``template`` and ``context`` (the portal's one entry point), rendered
    in a worker process with operating-system limits."""
    return render_isolated(template=template, context=context, limits=limits)


def render_docx_many(
    *, template: bytes, contexts: list[dict[str, Any]], limits: RenderLimits = DEFAULT_LIMITS
) -> list[bytes]:
    """The documents of ``template`` for each of ``contexts``, in order, rendered in one
    worker process in one round trip (a zip sends its documents in batches)."""
    return render_many_isolated(template=template, contexts=contexts, limits=limits)
