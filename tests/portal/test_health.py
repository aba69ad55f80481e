"""/healthz: database, storage and worker heartbeat; 200 or 503, never a secret, never
cached, no sign-in."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from portal.models import WorkerHeartbeat

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def worker_backend(settings):
    settings.TASKS = DB_TASKS
    settings.PORTAL_WORKER_HEARTBEAT_MAX_AGE = 60


def _beat(seconds_ago: int) -> None:
    beat_at = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(worker="web-1:42", started_at=beat_at, beat_at=beat_at)


def _health(client) -> tuple[int, dict]:
    response = client.get("/healthz")
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


@pytest.mark.django_db
def test_inline_tasks_need_no_worker(client):
    assert _health(client) == (
        200,
        {"database": "ok", "storage": "ok", "worker": "inline", "status": "ok"},
    )


@pytest.mark.django_db
def test_a_young_heartbeat_is_healthy(client, worker_backend):
    _beat(seconds_ago=5)
    status, body = _health(client)
    assert (status, body["worker"], body["status"]) == (200, "ok", "ok")
    assert set(body) == {"database", "storage", "worker", "status"}
    assert "web-1" not in str(body)


@pytest.mark.django_db
def test_an_old_heartbeat_is_late_and_unhealthy(client, worker_backend):
    _beat(seconds_ago=61)
    status, body = _health(client)
    assert (status, body["worker"], body["status"]) == (503, "en retard", "erreur")
    assert (body["database"], body["storage"]) == ("ok", "ok")


@pytest.mark.django_db
def test_no_worker_at_all_is_unhealthy(client, worker_backend):
    status, body = _health(client)
    assert (status, body["worker"]) == (503, "absent")


@pytest.mark.django_db
def test_a_storage_that_does_not_answer_is_unhealthy(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {"BACKEND": "tests.portal.test_health.BrokenStorage"},
    }
    status, body = _health(client)
    assert (status, body["storage"], body["database"]) == (503, "erreur", "ok")


@pytest.mark.django_db
def test_signed_in_people_get_the_same_answer(client, login):
    login("dihal@demo.test")
    assert _health(client)[0] == 200


class BrokenStorage:
    """A storage whose server is away."""

    def exists(self, name: str) -> bool:
        raise OSError("connection refused")
