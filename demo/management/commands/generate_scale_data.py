"""Generates the scale data (1× the demo, or 101 départements and 10× its households)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from demo.accounts import DEMO_PASSWORD
from demo.scale_data import SCALES, planner_statistics_refresh, scale_data_generate


class Command(BaseCommand):
    help = (
        "Crée des données de volume réaliste (développement uniquement) : --scale 1 pour "
        "les volumes de la démonstration, 10 pour 101 départements et dix fois ses ménages "
        "(30, 100, 300 : autant de fois ses ménages)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, choices=SCALES, default=1)
        parser.add_argument(
            "--accounts-file",
            type=Path,
            default=Path("var/scale-accounts.json"),
            help="Fichier JSON des comptes par rôle (adresse, clé TOTP) pour le test de charge.",
        )

    def handle(self, *args, scale, accounts_file, **options):
        self.stdout.write(f"Génération des données à l'échelle {scale}…")
        totals = scale_data_generate(
            scale=scale, accounts_file=accounts_file, progress=self.stdout.write
        )
        planner_statistics_refresh()
        self.stdout.write("Statistiques du planificateur mises à jour (ANALYZE).")
        self.stdout.write("Totaux :")
        for label, count in totals.items():
            self.stdout.write(f"  {label:<26} {count:>8}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Terminé. Mot de passe de tous les comptes : {DEMO_PASSWORD} ; "
                f"clés TOTP dans {accounts_file}."
            )
        )
