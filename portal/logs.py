"""Structured logs: one JSON object per line, and the request id that ties a request's lines
to the lines of the tasks it enqueued.

Standard library only (json, logging, contextvars), and no Django import: gunicorn's config
file (docker/gunicorn.conf.py) uses the formatter before Django is set up.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Final

# The id of the request (or of the task's originating request) this code runs for.
request_id_var: ContextVar[str | None] = ContextVar("portal_request_id", default=None)
# The id of the background task a worker is running (portal.task_logs).
task_id_var: ContextVar[str | None] = ContextVar("portal_task_id", default=None)

REQUEST_ID_HEADER: Final = "X-Request-ID"
REQUEST_ID_RE: Final = re.compile(r"[A-Za-z0-9-]{1,64}")

# Attributes a log call may pass with ``extra=`` that become keys of the JSON line.
FIELDS: Final = (
    "user_id",
    "method",
    "path",
    "status",
    "duration_ms",
    "remote_addr",
    "bytes",
    "task_path",
)


def well_formed_request_id(value: str | None) -> str | None:
    """``value`` when it may be reused as a request id (≤ 64 of [A-Za-z0-9-]), else None."""
    if value and REQUEST_ID_RE.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time (ISO 8601, UTC), level, logger, message,
    request_id, task_id (in a worker's task), the FIELDS given, and the exception's text
    when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            line["request_id"] = request_id
        task_id = getattr(record, "task_id", None) or task_id_var.get()
        if task_id:
            line["task_id"] = task_id
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)
