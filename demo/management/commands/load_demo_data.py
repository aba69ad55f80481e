"""Creates the demo data missing (`make run`), then prints the sign-in help of its accounts."""

from django.core.management.base import BaseCommand

from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from demo.loader import demo_data_load


class Command(BaseCommand):
    help = "Crée les comptes et organisations de démonstration (développement uniquement)."

    def handle(self, *args, **options):
        created = demo_data_load()
        if created:
            self.stdout.write(f"Données de démonstration : {created} élément(s) créé(s).")
        else:
            self.stdout.write("Données de démonstration déjà présentes : rien n'a changé.")
        self.stdout.write(
            f"\nComptes de démonstration (mot de passe : {DEMO_PASSWORD}). Chaque compte a "
            "la double authentification : ajoutez sa clé dans une application "
            "d'authentification (saisie manuelle), ou tapez « oathtool --totp -b <clé> », "
            "et donnez le code à six chiffres après le mot de passe."
        )
        for account in DEMO_ACCOUNTS:
            self.stdout.write(
                f"  {account.email:<26} clé {account.totp_secret}  {account.description}"
            )
