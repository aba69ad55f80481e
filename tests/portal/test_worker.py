"""The task worker's beat (portal.worker): a heartbeat row per process, and the day's jobs
put on the database queue once, whichever worker beats first."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.housekeeping import expired_sessions_clear_task
from portal.models import ScheduledRun, WorkerHeartbeat
from portal.worker import PortalWorker, youngest_heartbeat

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _worker(worker_id: str, *, schedule: bool = True) -> PortalWorker:
    return PortalWorker(
        queue_names=["default"],
        interval=1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        schedule=schedule,
    )


@pytest.mark.django_db
def test_a_beat_writes_the_heartbeat_and_enqueues_the_day_jobs_once(settings):
    settings.TASKS = DB_TASKS
    settings.PORTAL_SCHEDULE_HOUR = 0
    first, second = _worker("a"), _worker("b")
    second.name = "autre-hote:4242"  # another machine's worker

    first.beat()
    beat_at = youngest_heartbeat()
    second.beat()
    first.beat()

    assert set(WorkerHeartbeat.objects.values_list("worker", flat=True)) == {
        first.name,
        "autre-hote:4242",
    }
    assert youngest_heartbeat() > beat_at
    assert sorted(ScheduledRun.objects.values_list("job", flat=True)) == [
        "purge",
        "relances",
        "sessions",
    ]
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "forms_app.reminders.scheduled_reminders_task",
        "forms_app.retention.purge_expired_data_task",
        "portal.housekeeping.expired_sessions_clear_task",
    ]


@pytest.mark.django_db
def test_without_the_schedule_a_beat_is_only_a_heartbeat(settings):
    settings.TASKS = DB_TASKS
    settings.PORTAL_SCHEDULE_HOUR = 0
    _worker("c", schedule=False).beat()
    assert WorkerHeartbeat.objects.count() == 1
    assert not ScheduledRun.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_the_daily_session_job_deletes_only_expired_sessions():
    now = timezone.now()
    Session.objects.create(
        session_key="ended", session_data="", expire_date=now - datetime.timedelta(minutes=1)
    )
    Session.objects.create(
        session_key="live", session_data="", expire_date=now + datetime.timedelta(hours=1)
    )
    result = expired_sessions_clear_task.enqueue()
    assert result.return_value == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
