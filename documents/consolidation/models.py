"""The consolidation rules editors declare per form, checked against every version's fields
(registered by ``documents.models``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from wagtail.fields import StreamField

from documents.consolidation.blocks import ConsolidationRulesBlock
from documents.consolidation.fields import simple_columns
from documents.consolidation.rules import declaration_problems
from forms_app.models import FormVersion


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
