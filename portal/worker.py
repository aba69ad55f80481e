"""The task worker (manage.py run_worker): django-tasks-db's worker loop, plus a heartbeat
that /healthz reads and the daily schedule (portal.schedule), both run every
PORTAL_WORKER_HEARTBEAT_SECONDS by a thread beside the loop, so that a zip taking minutes
in the loop neither silences the heartbeat nor delays the schedule."""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from portal.models import WorkerHeartbeat
from portal.schedule import scheduled_jobs_run

logger = logging.getLogger(__name__)
# Rows of workers that died without removing theirs are dropped after a day.
FORGOTTEN_AFTER = datetime.timedelta(days=1)


def worker_name() -> str:
    """This process as its heartbeat row names it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def heartbeat_write(*, name: str, started_at: datetime.datetime) -> None:
    """Says that the worker ``name`` is alive now (one row per worker, updated)."""
    WorkerHeartbeat.objects.update_or_create(
        worker=name, defaults={"beat_at": timezone.now(), "started_at": started_at}
    )


def youngest_heartbeat() -> datetime.datetime | None:
    """When a worker last said it was alive, or None when none ever did."""
    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


class PortalWorker(Worker):
    """django-tasks-db's worker with a heartbeat and the daily schedule (run by a daemon
    thread: a SIGKILL takes both down with the loop, which is what /healthz must see)."""

    def __init__(self, *, schedule: bool = True, **options) -> None:
        super().__init__(**options)
        self.schedule = schedule
        self.name = worker_name()
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        """Beats once, starts the beating thread, runs the loop; on a graceful stop (or
        the end of a batch) stops the thread and removes this worker's row."""
        WorkerHeartbeat.objects.filter(beat_at__lt=timezone.now() - FORGOTTEN_AFTER).delete()
        self.beat()
        beating = threading.Thread(target=self.beat_until_stopped, name="heartbeat", daemon=True)
        beating.start()
        try:
            super().run()
        finally:
            self.stopping.set()
            beating.join(timeout=settings.PORTAL_WORKER_HEARTBEAT_SECONDS)
            WorkerHeartbeat.objects.filter(worker=self.name).delete()

    def beat(self) -> None:
        """One beat: the heartbeat row, then the day's jobs not yet enqueued."""
        heartbeat_write(name=self.name, started_at=self.started_at)
        if self.schedule:
            scheduled_jobs_run(now=timezone.now())

    def beat_until_stopped(self) -> None:
        """The thread's loop; a failed beat (database away a moment) is logged and the
        next one tried, since a dead heartbeat thread would report a living worker dead."""
        try:
            while not self.stopping.wait(settings.PORTAL_WORKER_HEARTBEAT_SECONDS):
                try:
                    close_old_connections()
                    self.beat()
                except Exception:
                    logger.exception("Worker heartbeat failed")
        finally:
            connection.close()  # the thread's own connection
