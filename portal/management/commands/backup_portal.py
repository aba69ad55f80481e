from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.backup.create import backup_create
from portal.backup.manifest import BackupError
from portal.formatting import file_size


class Command(BaseCommand):
    help = (
        "Sauvegarde la base (SQLite : API de sauvegarde en ligne ; PostgreSQL : pg_dump) et "
        "les fichiers du portail, avec un manifeste (migrations, lignes, SHA-256)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--into",
            default=None,
            help="dossier parent : la sauvegarde y crée <horodatage>/ (défaut : var/backups)",
        )
        parser.add_argument(
            "--output", default=None, help="dossier exact de la sauvegarde (vide ou absent)"
        )
        parser.add_argument("--database", default="default", help="alias de la base")

    def handle(self, *args, into, output, database, **options):
        if output:
            destination = Path(output)
        else:
            parent = Path(into) if into else Path(settings.VAR_DIR) / "backups"
            destination = parent / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        try:
            result = backup_create(destination=destination, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        files = [key for key in manifest["files"] if key.startswith("files/")]
        size = sum(facts["size"] for facts in manifest["files"].values())
        self.stdout.write(
            f"Sauvegarde écrite dans {result.path}\n"
            f"  base {manifest['database']['vendor']} : {len(manifest['tables'])} tables, "
            f"{sum(manifest['tables'].values())} lignes, "
            f"{sum(len(names) for names in manifest['migrations'].values())} migrations\n"
            f"  fichiers : {len(files)} ({', '.join(sorted(manifest['roots']))})\n"
            f"  taille : {file_size(size)} ; durée : {result.seconds:.2f} s\n"
            f"Restauration : make restore BACKUP={result.path}"
        )
