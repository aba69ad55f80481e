"""The request id carried from the request that enqueued a task to the worker's log lines
for that task (portal.logs.request_id_var).

django-tasks-db 0.12's task row (``DBTaskResult``) has no field for metadata, so the id is
kept beside it, in ``portal.models.TaskOrigin``, keyed by the task's id: written when the task
is enqueued (``task_enqueued``, in the request's transaction, so a rolled-back enqueue leaves
nothing), read when a worker starts it (``task_started``: the contextvar is set for the
task's run, with ``task_id_var``: every line of the run names its task) and deleted when it
finishes (``task_finished``: the contextvars are put back).
Only for the database backend: an inline (immediate) task runs in the request itself, whose
id is already set. A task whose worker was killed never finishes: its row is removed by a
later enqueue once older than ORIGIN_DAYS (the table stays as small as the queue).
"""

from __future__ import annotations

import datetime
from contextvars import ContextVar, Token
from typing import Any, Final

from django.utils import timezone
from django_tasks.signals import task_enqueued, task_finished, task_started
from django_tasks_db.backend import DatabaseBackend

from portal.logs import request_id_var, task_id_var
from portal.models import TaskOrigin

ORIGIN_DAYS: Final = 30

# The contextvar tokens to reset, by task id, of the tasks this process is running.
_running: dict[str, list[tuple[ContextVar[str | None], Token[str | None]]]] = {}


def _queued_in_database(sender: Any) -> bool:
    backend_class = sender if isinstance(sender, type) else type(sender)
    return issubclass(backend_class, DatabaseBackend)


def task_origin_record(sender: Any, task_result: Any, **kwargs: Any) -> None:
    request_id = request_id_var.get()
    if request_id and _queued_in_database(sender):
        TaskOrigin.objects.create(task_id=str(task_result.id), request_id=request_id)
        cutoff = timezone.now() - datetime.timedelta(days=ORIGIN_DAYS)
        TaskOrigin.objects.filter(enqueued_at__lt=cutoff).delete()


def task_origin_enter(sender: Any, task_result: Any, **kwargs: Any) -> None:
    if not _queued_in_database(sender):
        return
    task_id = str(task_result.id)
    tokens = [(task_id_var, task_id_var.set(task_id))]
    request_id = (
        TaskOrigin.objects.filter(task_id=task_id).values_list("request_id", flat=True).first()
    )
    if request_id:
        tokens.append((request_id_var, request_id_var.set(request_id)))
    _running[task_id] = tokens


def task_origin_leave(sender: Any, task_result: Any, **kwargs: Any) -> None:
    if not _queued_in_database(sender):
        return
    task_id = str(task_result.id)
    for variable, token in reversed(_running.pop(task_id, [])):
        variable.reset(token)
    TaskOrigin.objects.filter(task_id=task_id).delete()


def task_logs_connect() -> None:
    task_enqueued.connect(task_origin_record, dispatch_uid="portal.task_origin_record")
    task_started.connect(task_origin_enter, dispatch_uid="portal.task_origin_enter")
    task_finished.connect(task_origin_leave, dispatch_uid="portal.task_origin_leave")
