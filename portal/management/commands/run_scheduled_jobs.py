"""manage.py run_scheduled_jobs: enqueues the day's jobs not enqueued yet (portal.schedule),
for an installation that runs them from a systemd timer or cron rather than from the
worker (run_worker --no-schedule). Safe to run often and on several machines."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.schedule import scheduled_job_names, scheduled_jobs_run


class Command(BaseCommand):
    help = "Met en file les tâches quotidiennes du jour qui ne l'ont pas encore été."

    def handle(self, *args, **options) -> None:
        enqueued = scheduled_jobs_run(now=timezone.now())
        if enqueued:
            self.stdout.write("Mises en file : " + ", ".join(enqueued) + ".")
        else:
            known = ", ".join(scheduled_job_names()) or "aucune"
            self.stdout.write(
                f"Rien à mettre en file (tâches quotidiennes : {known}) : déjà fait "
                "aujourd'hui, ou l'heure prévue n'est pas passée."
            )
