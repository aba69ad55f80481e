"""Structured logs: one JSON line per request with its request id, and that id on the lines
of a task the request enqueued, when the database worker runs it."""

from __future__ import annotations

import datetime
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from portal.logs import JsonFormatter
from portal.models import TaskOrigin
from portal.request_log import RequestLogMiddleware
from portal.task_logs import ORIGIN_DAYS

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@task()
def log_from_task(*, word: str) -> None:
    logging.getLogger("tests.task").info("the task says %s", word)


@pytest.fixture
def json_lines():
    """The JSON lines logged by the portal's request logger and the test task's logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("portal.request", "tests.task")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)

    def read() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield read
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "portal.request"]


def test_a_request_logs_one_json_line_with_the_callers_request_id(client, json_lines, db):
    response = client.get("/", HTTP_X_REQUEST_ID="proxy-abc-123")

    assert response.status_code == 200
    assert response["X-Request-ID"] == "proxy-abc-123"
    [line] = request_lines(json_lines())
    assert line["request_id"] == "proxy-abc-123"
    assert line["method"] == "GET"
    assert line["path"] == "/"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")
    assert "user_id" not in line


@pytest.mark.parametrize("sent", ["x" * 65, "abc def", "abc;rm", "é"])
def test_a_malformed_request_id_is_replaced(client, json_lines, db, sent):
    response = client.get("/", HTTP_X_REQUEST_ID=sent)

    made = response["X-Request-ID"]
    assert made != sent
    assert len(made) == 32 and made.isalnum()
    [line] = request_lines(json_lines())
    assert line["request_id"] == made


def test_two_requests_get_two_ids(client, json_lines, db):
    client.get("/")
    client.get("/")

    first, second = request_lines(json_lines())
    assert first["request_id"] != second["request_id"]


def test_the_line_names_the_person_by_id_never_by_address(login, json_lines):
    client = login("dihal@demo.test")
    user = get_user_model().objects.get(email="dihal@demo.test")
    client.get("/")

    line = request_lines(json_lines())[-1]
    assert line["user_id"] == user.pk
    assert "dihal@demo.test" not in json.dumps(json_lines())


def test_an_error_line_carries_the_exception_text():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))

    assert line["level"] == "ERROR"
    assert "ValueError: boom" in line["exception"]


# Transactional: the worker takes its tasks in a transaction of its own (on SQLite an
# exclusive one, which cannot start inside the test's).
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_task_enqueued_in_a_request_logs_with_its_id_when_the_worker_runs_it(json_lines):
    def view(request):
        log_from_task.enqueue(word="hello")
        return HttpResponse("queued")

    request = RequestFactory().get("/export", HTTP_X_REQUEST_ID="req-42")
    response = RequestLogMiddleware(view)(request)
    assert response["X-Request-ID"] == "req-42"
    assert TaskOrigin.objects.get().request_id == "req-42"
    assert [line["logger"] for line in json_lines()] == ["portal.request"]  # not run yet

    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")

    [task_line] = [line for line in json_lines() if line["logger"] == "tests.task"]
    assert task_line["message"] == "the task says hello"
    assert task_line["request_id"] == "req-42"
    assert task_line["task_id"] == str(DBTaskResult.objects.get().id)
    assert not TaskOrigin.objects.exists()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_task_enqueued_outside_a_request_logs_without_an_id(json_lines):
    log_from_task.enqueue(word="alone")
    assert not TaskOrigin.objects.exists()

    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")

    [task_line] = json_lines()
    assert "request_id" not in task_line
    assert task_line["task_id"] == str(DBTaskResult.objects.get().id)


PRODUCTION_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "s3cr3t-for-test",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
    "ALLOWED_HOSTS": "portail.example.gouv.fr",
    "PORTAL_BASE_URL": "https://portail.example.gouv.fr",
}


def test_production_writes_request_and_task_lines_as_json_on_the_console():
    code = (
        "import django, logging; django.setup(); "
        "from portal.logs import request_id_var; request_id_var.set('req-prod'); "
        "logging.getLogger('portal.request').info('GET / 200', extra={'status': 200}); "
        "logging.getLogger('django_tasks').info('Task id=1 state=RUNNING')"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=PRODUCTION_ENV,
        capture_output=True,
        text=True,
        check=True,
        cwd=PRODUCTION_ENV["PYTHONPATH"],
    )

    request, task = [json.loads(line) for line in result.stderr.splitlines()]
    assert (request["logger"], request["status"], request["request_id"]) == (
        "portal.request",
        200,
        "req-prod",
    )
    assert (task["logger"], task["request_id"]) == ("django_tasks", "req-prod")


@override_settings(TASKS=DATABASE_TASKS)
def test_the_origin_of_a_task_that_never_ran_is_removed_by_a_later_enqueue(db):
    lost = TaskOrigin.objects.create(task_id="killed-worker-task", request_id="old")
    TaskOrigin.objects.filter(pk=lost.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(days=ORIGIN_DAYS + 1)
    )

    def view(request):
        log_from_task.enqueue(word="later")
        return HttpResponse("queued")

    RequestLogMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-new"))

    assert list(TaskOrigin.objects.values_list("request_id", flat=True)) == ["req-new"]
