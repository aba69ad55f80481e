"""The daily jobs (the retention purge, the scheduled reminders…) and when they run: each
app registers its jobs from its ``AppConfig.ready`` (``scheduled_job_register``), so the
core imports none of them; ``scheduled_jobs_run`` enqueues the day's jobs not yet enqueued.

Why a scheduler inside the task worker rather than cron in the container: the worker is
already the one long-lived process that must be running for anything in the background to
happen, a container has no cron daemon, and a database row per job and day (ScheduledRun)
makes any number of workers safe where a crontab on each of them would run each job once
per machine. ``manage.py run_scheduled_jobs`` runs the same code for an installation that
prefers a systemd timer or a cron entry.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledJob:
    """A daily job: ``enqueue()`` puts it on the task queue (a django-tasks ``Task.enqueue``
    bound to its arguments)."""

    name: str
    enqueue: Callable[[], object]


_jobs: dict[str, ScheduledJob] = {}


def scheduled_job_register(*, name: str, enqueue: Callable[[], object]) -> None:
    """Adds a job to run once a day (``name`` ≤ 64 characters, the key of its
    ScheduledRun rows). Registering a name again replaces its job."""
    if not name or len(name) > 64:
        raise ValueError(f"{name!r}: a job name has 1 to 64 characters")
    _jobs[name] = ScheduledJob(name=name, enqueue=enqueue)


def scheduled_job_names() -> list[str]:
    """The registered jobs' names, in registration order."""
    return list(_jobs)


def schedule_day_due(*, now: datetime.datetime) -> datetime.date | None:
    """The local day whose jobs are due at ``now``: today once PORTAL_SCHEDULE_HOUR
    (local time) has passed, else None. A worker started after that hour with today's
    runs missing therefore runs them at once."""
    local = timezone.localtime(now)
    return local.date() if local.hour >= settings.PORTAL_SCHEDULE_HOUR else None


def scheduled_jobs_run(*, now: datetime.datetime) -> list[str]:
    """Enqueues each registered job whose run for the due day is not recorded yet; returns
    the names enqueued. The ScheduledRun row and the task row are written in one
    transaction (with the database task backend): either both exist or neither, and the
    unique (job, day) constraint lets one worker only win each day's job."""
    day = schedule_day_due(now=now)
    if day is None:
        return []
    done = set(ScheduledRun.objects.filter(day=day).values_list("job", flat=True))
    enqueued = []
    for job in _jobs.values():
        if job.name in done:
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, day=day)
                job.enqueue()
        except IntegrityError:
            continue  # another worker enqueued it in the meantime
        logger.info("Scheduled job %s enqueued for %s", job.name, day)
        enqueued.append(job.name)
    return enqueued
