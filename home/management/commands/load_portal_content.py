from django.conf import settings
from django.core.management.base import BaseCommand

from home.content_loader import portal_content_load


class Command(BaseCommand):
    help = (
        "Charge le contenu du portail (territoires, organisations, pages du document de "
        "cadrage). Ré-exécutable : ne duplique rien et n'écrase aucune page modifiée."
    )

    def handle(self, *args, **options):
        report = portal_content_load(content_dir=settings.PORTAL_CONTENT_DIR)
        self.stdout.write(
            f"Territoires créés : {report.territories_created} ; "
            f"organisations créées : {report.organisations_created}"
        )
        for label, titles in (
            ("Pages créées", report.pages_created),
            ("Pages mises à jour", report.pages_updated),
            ("Pages inchangées", report.pages_unchanged),
            ("Pages modifiées par un éditeur, conservées", report.pages_kept),
            ("Formulaires créés", report.forms_created),
            ("Campagnes créées", report.campaigns_created),
        ):
            if titles:
                self.stdout.write(f"{label} ({len(titles)}) : " + " ; ".join(titles))
        if not report.changed_anything:
            self.stdout.write(self.style.SUCCESS("Contenu déjà à jour : rien n'a changé."))
