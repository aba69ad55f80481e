"""What purged households leave behind: their contribution to the bilan's counters."""

from __future__ import annotations

from django.db import models


class PurgedHouseholdCounts(models.Model):
    """The figures that households purged in one run gave to one campaign period, for one
    operator and territory: counts only, no reference, no date finer than the period.

    ``forms_app.households.indicators`` adds them to what the remaining households give, so
    that a bilan or a consolidation reads the same figures before and after a purge. Counters
    are additive across disjoint sets of households, which purged and remaining ones are."""

    operator = models.ForeignKey(
        "portal.Organisation", verbose_name="opérateur", on_delete=models.PROTECT, related_name="+"
    )
    territory = models.ForeignKey(
        "portal.Territory", verbose_name="territoire", on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField("début de la période")
    period_end = models.DateField("fin de la période")
    counts = models.JSONField("comptes", default=dict)
    purged_at = models.DateTimeField("purgé le")

    class Meta:
        verbose_name = "comptes de ménages supprimés"
        verbose_name_plural = "comptes de ménages supprimés"
        ordering = ["period_start", "territory", "operator"]
        indexes = [
            models.Index(fields=["period_start", "period_end"], name="purgedcounts_period"),
        ]

    def __str__(self) -> str:
        return f"Ménages supprimés — {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"
