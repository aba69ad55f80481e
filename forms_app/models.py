"""Form definitions: per-form settings and frozen versions of a form's fields."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from wagtailstreamforms.models import AbstractFormSetting


class Scope(models.TextChoices):
    TERRITOIRE = "territoire", "Par territoire"
    OPERATEUR = "operateur", "Par opérateur"
    MENAGE = "menage", "Par ménage"


class Filler(models.TextChoices):
    PREFECTURE = "prefecture", "La préfecture"
    OPERATEUR = "operateur", "L'opérateur"


class Validator(models.TextChoices):
    DIHAL = "dihal", "La DIHAL"
    PREFECTURE = "prefecture", "La préfecture (pour les réponses de ses opérateurs)"


class FormSettings(AbstractFormSetting):
    """What wagtailstreamforms calls advanced settings: who answers a form, and for what."""

    description = models.TextField("présentation", blank=True)
    scope = models.CharField(
        "portée", max_length=20, choices=Scope.choices, default=Scope.TERRITOIRE
    )
    filled_by = models.CharField(
        "rempli par", max_length=20, choices=Filler.choices, default=Filler.PREFECTURE
    )
    validated_by = models.CharField(
        "validé par", max_length=20, choices=Validator.choices, default=Validator.DIHAL
    )
    word_template = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="modèle Word",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Le modèle .docx qui met en forme chaque réponse.",
    )

    class Meta:
        verbose_name = "réglages du formulaire"
        verbose_name_plural = "réglages des formulaires"


class FormVersion(models.Model):
    """The fields of a form as they were at one moment: answers keep the version they used."""

    form = models.ForeignKey(
        "wagtailstreamforms.Form", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("numéro")
    schema = models.JSONField("champs")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "version de formulaire"
        verbose_name_plural = "versions de formulaire"
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="formversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.form} — version {self.number}"

    @property
    def input_keys(self) -> list[str]:
        from forms_app.form_builder import input_items

        return [item["value"]["key"] for item in input_items(self.schema)]
