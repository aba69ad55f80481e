from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.storage_import import storage_import


class Command(BaseCommand):
    help = (
        "Copie les fichiers d'un dossier local dans un stockage du portail (par exemple "
        "var/private vers le compartiment S3 de « private ») sous les mêmes noms, SHA-256 "
        "vérifié ; ne supprime ni n'écrase rien, et peut être relancée."
    )

    def add_arguments(self, parser):
        parser.add_argument("alias", help="stockage cible : private ou exports")
        parser.add_argument("directory", help="dossier source (ex. /srv/portail/var/private)")

    def handle(self, *args, alias, directory, **options):
        if alias not in settings.STORAGES or alias in ("default", "staticfiles"):
            raise CommandError(f"Stockage inconnu ou non concerné : « {alias} ».")
        try:
            report = storage_import(source_dir=Path(directory), alias=alias)
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        for name in report.conflicts:
            self.stdout.write(f"différent dans la cible, laissé tel quel : {name}")
        self.stdout.write(
            f"« {alias} » : {len(report.copied)} fichier(s) copié(s), "
            f"{len(report.already_there)} déjà présent(s) à l'identique, "
            f"{len(report.conflicts)} en conflit."
        )
        if not report.ok:
            raise CommandError(
                "Des fichiers diffèrent entre le dossier et le stockage (voir ci-dessus)."
            )
