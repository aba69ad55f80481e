"""The versioned Word templates of the forms: one per upload, for an answer's document or
for the consolidated report of the form's campaigns (registered by ``documents.models``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

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
