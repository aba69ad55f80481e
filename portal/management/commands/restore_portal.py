from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from portal.backup.manifest import BackupError
from portal.backup.restore import backup_restore


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde de backup_portal dans une base vide et des stockages vides "
        "(dossiers ou compartiment S3), "
        "puis compare les lignes et les SHA-256 avec le manifeste."
    )
    # The target is empty: no check may touch it before the restore does.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("backup", help="dossier de la sauvegarde (celui de manifest.json)")
        parser.add_argument("--database", default="default", help="alias de la base cible")

    def handle(self, *args, backup, database, **options):
        settings_dict = connections[database].settings_dict
        try:
            report = backup_restore(source=Path(backup), database=settings_dict)
        except BackupError as error:
            raise CommandError(str(error)) from error
        verbose = options["verbosity"] >= 1
        bad_tables = [item for item in report.tables if not item.ok]
        bad_files = [item for item in report.files if not item.ok]
        if verbose:
            self.stdout.write(f"{'table':<48} {'sauvegarde':>11} {'restaurée':>11}")
            for item in report.tables:
                mark = "" if item.ok else "  DIFFÉRENT"
                self.stdout.write(f"{item.name:<48} {item.expected!s:>11} {item.found!s:>11}{mark}")
        for item in bad_files:
            self.stdout.write(f"fichier {item.name} : attendu {item.expected}, trouvé {item.found}")
        self.stdout.write(
            f"Tables : {len(report.tables) - len(bad_tables)}/{len(report.tables)} identiques "
            f"({report.rows} lignes) ; fichiers : {len(report.files) - len(bad_files)}/"
            f"{len(report.files)} SHA-256 identiques ; durée : {report.seconds:.2f} s"
        )
        if report.pending_migrations:
            self.stdout.write(
                f"La sauvegarde est antérieure au code : {len(report.pending_migrations)} "
                f"migration(s) à appliquer ({', '.join(report.pending_migrations[:5])}). "
                "Lancez « manage.py migrate » (make run le fait)."
            )
        if not report.ok:
            raise CommandError("La restauration ne correspond pas au manifeste (voir ci-dessus).")
        self.stdout.write(self.style.SUCCESS("Restauration vérifiée."))
