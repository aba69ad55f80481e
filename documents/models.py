"""Word templates of the forms, versioned, and the zip exports of a campaign's documents."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.fields import StreamField

from documents.consolidation.blocks import ConsolidationRulesBlock
from documents.consolidation.fields import simple_columns
from documents.consolidation.rules import declaration_problems
from forms_app.models import FormVersion
from forms_app.storage import private_storage


class TemplatePurpose(models.TextChoices):
    DOCUMENT = "document", "Document d'une réponse"
    RAPPORT = "rapport", "Rapport consolidé d'une campagne"


class WordTemplate(models.Model):
    """One uploaded version of a form's .docx template, for the document of each answer or
    for the consolidated report of the form's campaigns; one version per form and purpose
    is active."""

    form = models.ForeignKey(
        "wagtailstreamforms.Form",
        verbose_name="formulaire",
        on_delete=models.CASCADE,
        related_name="word_templates",
    )
    purpose = models.CharField(
        "usage",
        max_length=20,
        choices=TemplatePurpose.choices,
        default=TemplatePurpose.DOCUMENT,
    )
    number = models.PositiveIntegerField("version")
    file = models.FileField("modèle", upload_to="modeles-word/", storage=private_storage)
    original_name = models.CharField("nom du fichier", max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField("taille (octets)")
    is_active = models.BooleanField("en service", default=False)
    unknown_variables = models.JSONField("variables inconnues", default=list, blank=True)
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField("mis en service le", null=True, blank=True)

    class Meta:
        verbose_name = "modèle Word"
        verbose_name_plural = "modèles Word"
        ordering = ["form", "purpose", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "purpose", "number"], name="wordtemplate_unique_number"
            ),
            models.UniqueConstraint(
                fields=["form", "purpose"],
                condition=models.Q(is_active=True),
                name="wordtemplate_one_active_per_form",
            ),
        ]

    def __str__(self) -> str:
        if self.purpose == TemplatePurpose.RAPPORT:
            return f"{self.form} — modèle du rapport consolidé v{self.number}"
        return f"{self.form} — modèle Word v{self.number}"


class ExportStatus(models.TextChoices):
    PENDING = "en_attente", "En attente"
    RUNNING = "en_cours", "En cours"
    DONE = "terminee", "Terminée"
    FAILED = "echouee", "Échouée"


class DocumentExport(models.Model):
    """A zip of a campaign's Word documents within the requester's scope, built in the
    background; its file only exists once complete (written under a temporary name, then
    renamed)."""

    campaign = models.ForeignKey(
        "forms_app.Campaign", on_delete=models.CASCADE, related_name="document_exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    territory_codes = models.JSONField(
        "territoires", default=list, help_text="Vide : tous les territoires (DIHAL)."
    )
    status = models.CharField(
        "statut", max_length=20, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    total = models.PositiveIntegerField("documents à produire", default=0)
    done = models.PositiveIntegerField("documents produits", default=0)
    file_name = models.CharField("fichier", max_length=255, blank=True)
    error = models.TextField("erreur", blank=True)
    created_at = models.DateTimeField("demandée le", auto_now_add=True)
    finished_at = models.DateTimeField("terminée le", null=True, blank=True)

    class Meta:
        verbose_name = "export de documents"
        verbose_name_plural = "exports de documents"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Documents — {self.campaign} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return (
            100 if self.status == ExportStatus.DONE else int(100 * self.done / max(self.total, 1))
        )


class ConsolidationRules(models.Model):
    """What a form's consolidated tables compute: sums, averages, ratios and N / N-1
    changes, declared once by editors (``documents.consolidation.rules``)."""

    form = models.OneToOneField(
        "wagtailstreamforms.Form",
        verbose_name="formulaire",
        on_delete=models.CASCADE,
        related_name="consolidation_rules",
    )
    rules = StreamField(
        ConsolidationRulesBlock(),
        verbose_name="règles de consolidation",
        blank=True,
        help_text=(
            "Les champs numériques non déclarés ne sont pas consolidés. Sans aucune règle, "
            "les nombres entiers et les montants sont additionnés, les décimaux et les "
            "pourcentages moyennés."
        ),
    )
    updated_at = models.DateTimeField("modifiées le", auto_now=True)

    class Meta:
        verbose_name = "tableaux consolidés d'un formulaire"
        verbose_name_plural = "tableaux consolidés"

    def __str__(self) -> str:
        return f"Tableaux consolidés — {self.form}"

    def clean(self) -> None:
        """Checks the rules against every version's fields (``declaration_problems``): the
        admin's form shows the French messages under the rules, the data file's seed too."""
        super().clean()
        if not self.form_id:
            return
        versions = FormVersion.objects.filter(form_id=self.form_id).order_by("-number")
        problems = declaration_problems(blocks=self.rules, columns=simple_columns(versions))
        if problems:
            raise ValidationError({"rules": problems})
