"""manage.py run_worker: the portal's task worker (portal.worker), that is django-tasks-db's
db_worker with its options, plus a heartbeat and the daily schedule."""

from __future__ import annotations

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from portal.worker import PortalWorker


class Command(db_worker.Command):
    help = (
        "Exécute les tâches en arrière-plan (zips, relances, purge), signale qu'il est en vie "
        "et met en file les tâches quotidiennes."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-schedule",
            action="store_false",
            dest="schedule",
            help="Ne pas mettre en file les tâches quotidiennes (un minuteur système s'en charge "
            "avec manage.py run_scheduled_jobs).",
        )

    def handle(self, *, verbosity: int, reload: bool, batch: bool, **options) -> None:
        """db_worker's handle with the portal's worker class."""
        self.configure_logging(verbosity)
        worker = PortalWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            schedule=options["schedule"],
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloaded child handles signals
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
