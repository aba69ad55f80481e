"""``manage.py purge_expired_data``: the retention purge (forms_app.retention), run now or
queued as a task; ``--dry-run`` says what would go and changes nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from forms_app.retention import purge_expired_data, purge_expired_data_task


class Command(BaseCommand):
    help = "Supprime les données dont la durée de conservation est écoulée."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche ce qui serait supprimé, sans rien changer.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Confie la purge au gestionnaire de tâches au lieu de l'exécuter ici.",
        )

    def handle(self, *args, dry_run: bool = False, enqueue: bool = False, **options) -> None:
        if enqueue and not dry_run:
            result = purge_expired_data_task.enqueue()
            self.stdout.write(f"Purge confiée au gestionnaire de tâches ({result.id}).")
            return
        report = purge_expired_data(dry_run=dry_run)
        verb = "Seraient supprimés" if dry_run else "Supprimés"
        self.stdout.write(f"{verb} : {report.summary()}.")
        announced = "seraient annoncés" if dry_run else "annoncés"
        self.stdout.write(f"Dossiers {announced} aux opérateurs : {report.notices}.")
