"""gunicorn's configuration (docker/entrypoint.sh web): every value from the environment.

GUNICORN_BIND (e.g. 127.0.0.1:8000) or BIND_HOST (0.0.0.0) and PORT (8000)
GUNICORN_WORKERS   processes; default 2 × cores + 1, at most 8
GUNICORN_THREADS   threads per process (1: sync workers; more: gthread)
GUNICORN_TIMEOUT (60 s), GUNICORN_GRACEFUL_TIMEOUT (30 s), GUNICORN_KEEPALIVE (5 s)
GUNICORN_MAX_REQUESTS (1000) and GUNICORN_MAX_REQUESTS_JITTER (100): a process is replaced
    after that many requests, so memory taken by large renders and exports is given back.
GUNICORN_ACCESS_LOG ("-": JSON lines on stdout; empty: off)
FORWARDED_ALLOW_IPS  the proxies whose X-Forwarded-* headers are trusted (127.0.0.1,::1)
GUNICORN_PRELOAD   preload the application in the master (true)

preload_app: on by default. The render workers (documents.rendering.isolation) are not
started at import: each gunicorn process starts its own pool lazily, from its own
"forkserver", keyed by its pid, so a pool is never shared by forked processes; and no app's
ready() opens a database connection. Preloading makes a process replaced by max_requests a
fork of the master (milliseconds) instead of a new Django import (about a second of CPU per
process under load), and shares the imported code between processes. The cost: a code
change needs a restart of the master (a new container), not a HUP.
"""

import os

from gunicorn import glogging

from portal.logs import JsonFormatter


def _int(name: str, default: int) -> int:
    # Not portal.env's reader: here a variable set but empty (as compose passes unset ones)
    # means the default, where Env.int refuses it.
    return int(os.environ.get(name, "").strip() or default)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND") or (
    f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{_int('PORT', 8000)}"  # noqa: S104
)
workers = _int("GUNICORN_WORKERS", min(2 * _cores() + 1, 8))
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").strip().lower() in {"1", "true", "yes"}
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The temporary files of the workers' heartbeat in memory, not on the container's layer.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108


class JsonLogger(glogging.Logger):
    """gunicorn's own lines and its access lines as JSON (portal.logs.JsonFormatter); the
    access line carries the request id the portal's middleware set on the response.
    Two lines per request reach stdout (this one and portal.request's, which adds the
    person's id); GUNICORN_ACCESS_LOG= (empty) keeps only the portal's."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time) -> None:
        if not self.cfg.accesslog:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        path = atoms["U"]  # without the query string: it may hold a signed URL's token
        extra = {
            "method": atoms["m"],
            "path": path,
            "status": resp.status_code,
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "remote_addr": atoms["h"],
            "bytes": atoms["B"] if isinstance(atoms["B"], int) else None,
            "request_id": atoms.get("{x-request-id}o") or None,
        }
        self.access_log.info("%s %s %s", atoms["m"], path, resp.status_code, extra=extra)


logger_class = JsonLogger
