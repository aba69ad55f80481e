"""The sandboxed Jinja environment every template is rendered in, with its limits and the
portal's French filters (``documents.rendering.filters``).

An uploaded template is code (security.md #4–6): it is only ever rendered in
``PortalSandbox`` — Jinja's SandboxedEnvironment with autoescape on, so that an answer
containing ``</w:t>`` or ``&`` stays text — under a deadline and size limits that stop a
runaway template with ``RenderLimitExceeded`` while the worker lives on.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from documents.rendering.filters import FRENCH_FILTERS


class RenderLimitExceeded(SecurityError):
    """The template ran longer, or built more, than a document may."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or "Le modèle met trop de temps à produire le document : rendu interrompu."
        )


@dataclass(frozen=True)
class RenderLimits:
    seconds: float = 10.0
    max_range: int = 100_000  # items of one range() — Jinja's own sandbox default
    max_sequence: int = 1_000_000  # items or characters built by * or a method argument
    check_every: int = 1_000  # loop items between two looks at the clock


DEFAULT_LIMITS = RenderLimits()
WATCHDOG_GRACE = 1.0  # seconds after the deadline before the watchdog interrupts
_deadline = threading.local()


class _Watchdog:
    """One thread per process that raises ``RenderLimitExceeded`` in a thread still rendering
    past its deadline, between two bytecodes (CPython's asynchronous exception); never
    after ``disarm``. Arming costs a dictionary entry, not a thread, per document."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked child starts afresh

    def _reset(self) -> None:
        self._condition = threading.Condition()
        self._entries: dict[int, list] = {}  # token → [thread id, fire at, fired]
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, thread_id: int, seconds: float) -> int:
        with self._condition:
            token = next(self._tokens)
            self._entries[token] = [thread_id, time.monotonic() + seconds, False]
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._watch, name="portal-render-watchdog", daemon=True
                )
                self._thread.start()
            self._condition.notify()
            return token

    def disarm(self, token: int) -> None:
        with self._condition:
            entry = self._entries.pop(token, None)
        if entry is not None and entry[2]:
            # Raised already, or about to be: clear a pending one so that it cannot surface
            # later in the caller's code.
            _set_async_exception(entry[0], None)

    def _watch(self) -> None:
        with self._condition:
            while True:
                now = time.monotonic()
                waiting = []
                for entry in self._entries.values():
                    if entry[2]:
                        continue
                    if entry[1] <= now:
                        entry[2] = True
                        _set_async_exception(entry[0], RenderLimitExceeded)
                    else:
                        waiting.append(entry[1])
                self._condition.wait(min(waiting) - now if waiting else None)


def _set_async_exception(thread_id: int, exception: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )


_WATCHDOG = _Watchdog()


class PortalSandbox(SandboxedEnvironment):
    """Jinja's sandbox with autoescape, a clock and size limits, and the French filters."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, limits: RenderLimits = DEFAULT_LIMITS) -> None:
        super().__init__(autoescape=True, keep_trailing_newline=True)
        self.limits = limits
        self.globals["range"] = self._range
        self.filters.update(FRENCH_FILTERS)

    # -- the clock -------------------------------------------------------------------

    @contextmanager
    def deadline(self, seconds: float | None = None) -> Iterator[None]:
        """Every render of this thread inside the block stops after ``seconds``: the hooks
        below look at the clock, and a watchdog interrupts what they cannot see (a loop
        over a long text or list runs no hook), a little later."""
        seconds = seconds or self.limits.seconds
        previous = getattr(_deadline, "at", None)
        _deadline.at = time.monotonic() + seconds
        token = _WATCHDOG.arm(threading.get_ident(), seconds + WATCHDOG_GRACE)
        try:
            yield
        finally:
            try:
                _WATCHDOG.disarm(token)
            finally:
                _deadline.at = previous

    def check_clock(self) -> None:
        at = getattr(_deadline, "at", None)
        if at is not None and time.monotonic() > at:
            raise RenderLimitExceeded(
                "Le modèle met trop de temps à produire le document : rendu interrompu."
            )

    # -- hooks of the sandbox ---------------------------------------------------------

    def _range(self, *args: int) -> Iterator[int]:
        values = range(*args)
        if len(values) > self.limits.max_range:
            raise RenderLimitExceeded(
                f"Boucle trop longue ({len(values)} tours ; {self.limits.max_range} au plus)."
            )
        return self._clocked(values)

    def _clocked(self, values) -> Iterator[Any]:
        for index, value in enumerate(values):
            if index % self.limits.check_every == 0:
                self.check_clock()
            yield value

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        __self.check_clock()
        for argument in (*args, *kwargs.values()):
            if isinstance(argument, int) and abs(argument) > __self.limits.max_sequence:
                raise RenderLimitExceeded("Valeur trop grande dans un appel du modèle.")
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        self.check_clock()
        if operator == "**" and isinstance(right, int) and right > 64:
            raise RenderLimitExceeded("Puissance trop grande dans le modèle.")
        if operator == "*":
            sizes = [len(side) for side in (left, right) if isinstance(side, (str, list, tuple))]
            counts = [side for side in (left, right) if isinstance(side, int)]
            if sizes and counts and sizes[0] * abs(counts[0]) > self.limits.max_sequence:
                raise RenderLimitExceeded("Texte ou liste trop longs construits par le modèle.")
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.check_clock()
        return super().getattr(obj, attribute)
