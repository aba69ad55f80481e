"""The zip exports of a campaign's documents, their status and progress (registered by
``documents.models``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExportStatus(models.TextChoices):
    PENDING = "en_attente", "En attente"
    RUNNING = "en_cours", "En cours"
    DONE = "terminee", "Terminée"
    FAILED = "echouee", "Échouée"


class DocumentExport(models.Model):
    """A zip of a campaign's Word documents within the requester's scope, built in the
    background; its file is in STORAGES["exports"] only once complete (built in a local
    temporary file, then saved), and ``file_name`` is set only then."""

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
    # Each run of the build: a re-run takes the next number, and a build whose number is no
    # longer the row's (a stalled worker that comes back) writes nothing more.
    attempt = models.PositiveIntegerField("essai", default=0)
    heartbeat_at = models.DateTimeField("dernière avancée", null=True, blank=True)
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
