"""Households (ménages) followed by an operator, and the attempts to reach them.

A household's identity (``PERSONAL_FIELDS``) is for the operator that follows it only;
everyone else reads the pseudonymous reference and the procedure facts
(``portal.permissions.HOUSEHOLD_SHARED_FIELDS``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HouseholdSource(models.TextChoices):
    CCAPEX = "ccapex", "Transfert CCAPEX"
    CD_DSF = "cd_non_reponse_dsf", "Conseil départemental — non-réponse au DSF"
    SERVICE_SOCIAL = "service_social", "Signalement d'un service social"
    AUTRE = "autre", "Autre"


class ProcedureStage(models.TextChoices):
    """Stages at which the scheme meets households, in the procedure's order."""

    CDP = "cdp", "Commandement de payer (CDP)"
    ASSIGNATION = "assignation", "Assignation"
    CQL = "cql", "Commandement de quitter les lieux (CQL)"
    RFP = "rfp", "Réquisition de la force publique (RFP)"
    CFP = "cfp", "Concours de la force publique (CFP)"


# The framing document's two phases: before the judgment (amont), after it (aval).
AMONT_STAGES = frozenset({ProcedureStage.CDP, ProcedureStage.ASSIGNATION})


class HouseholdStatus(models.TextChoices):
    """In the order a case goes through: automatic changes only ever move forward."""

    A_CONTACTER = "a_contacter", "À contacter"
    CONTACTE = "contacte", "Contacté"
    RENCONTRE = "rencontre", "Rencontré"
    DIAGNOSTIQUE = "diagnostique", "Diagnostiqué"
    ACCOMPAGNE = "accompagne", "Accompagné"
    CLOS = "clos", "Clos"


STATUS_ORDER = {status: rank for rank, status in enumerate(HouseholdStatus.values)}


class Household(models.Model):
    """One household's case file at the operator that follows it."""

    PERSONAL_FIELDS = ("nom", "prenom", "adresse_logement", "telephone", "email")

    reference = models.CharField("référence", max_length=20, unique=True, editable=False)
    operator = models.ForeignKey(
        "portal.Organisation",
        verbose_name="opérateur",
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"kind": "operateur"},
    )
    territory = models.ForeignKey(
        "portal.Territory", verbose_name="territoire", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("origine", max_length=30, choices=HouseholdSource.choices)
    referred_on = models.DateField("date d'orientation")
    stage = models.CharField(
        "stade de la procédure à l'orientation", max_length=20, choices=ProcedureStage.choices
    )
    known_to_social_services = models.BooleanField(
        "connu des services sociaux", null=True, blank=True
    )
    status = models.CharField(
        "statut",
        max_length=20,
        choices=HouseholdStatus.choices,
        default=HouseholdStatus.A_CONTACTER,
    )
    # Personal data: the following operator only.
    nom = models.CharField("nom", max_length=120)
    prenom = models.CharField("prénom", max_length=120, blank=True)
    adresse_logement = models.CharField("adresse du logement", max_length=255, blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    # Kept up to date by forms_app.households.household_follow_up_refresh.
    last_exchange_on = models.DateField("dernier échange", null=True, blank=True)
    veille_due_on = models.DateField("veille à faire avant le", null=True, blank=True)

    # Set when the case is closed, cleared when it is reopened (forms_app.households.services): the
    # retention period runs from it (forms_app.households.retention).
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    purge_notice_sent_at = models.DateTimeField(
        "avis de suppression envoyé le", null=True, blank=True
    )

    created_at = models.DateTimeField("créé le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    # Raised by one conditional UPDATE on every change a person makes or sees on the case
    # file (its form, its status, an automatic status move): a page built on an older
    # revision cannot overwrite a newer one (forms_app.households.services).
    revision = models.PositiveIntegerField("révision", default=1)
    # The « Nouveau ménage » page's idempotency token (forms_app.idempotency).
    creation_token = models.UUIDField(
        "jeton de création", null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        verbose_name = "ménage"
        verbose_name_plural = "ménages"
        ordering = ["-referred_on", "reference"]
        indexes = [
            models.Index(fields=["operator", "status"], name="household_operator_status"),
            models.Index(fields=["operator", "veille_due_on"], name="household_operator_veille"),
            models.Index(fields=["territory", "status"], name="household_territory_status"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def phase(self) -> str:
        """« amont » before the judgment (CDP, assignation), « aval » after it."""
        return "amont" if self.stage in AMONT_STAGES else "aval"

    def get_phase_display(self) -> str:
        return "Amont" if self.phase == "amont" else "Aval"


class ContactMode(models.TextChoices):
    TELEPHONE = "telephone", "Téléphone"
    SMS = "sms", "SMS"
    COURRIER = "courrier", "Courrier"
    COURRIEL = "courriel", "Courriel"
    VISITE = "visite", "Visite à domicile"


class ContactResult(models.TextChoices):
    SANS_REPONSE = "sans_reponse", "Sans réponse"
    MESSAGE = "message", "Message laissé"
    ECHANGE = "echange", "Échange établi"
    RENDEZ_VOUS = "rendez_vous", "Rendez-vous fixé"
    RENCONTRE = "rencontre", "Ménage rencontré"
    REFUS = "refus", "Refus du ménage"


# Results where the household was reached: they count as an exchange (veille at J+15).
EXCHANGE_RESULTS = frozenset(
    {ContactResult.ECHANGE, ContactResult.RENDEZ_VOUS, ContactResult.RENCONTRE}
)


class ContactAttempt(models.Model):
    """One attempt to reach the household: when, how, with what result."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="contact_attempts"
    )
    date = models.DateField("date")
    mode = models.CharField("mode", max_length=20, choices=ContactMode.choices)
    result = models.CharField("résultat", max_length=20, choices=ContactResult.choices)
    note = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The contact form's idempotency token (forms_app.idempotency). An attempt is never
    # edited once recorded: it needs no revision.
    creation_token = models.UUIDField(
        "jeton de création", null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        verbose_name = "tentative de contact"
        verbose_name_plural = "tentatives de contact"
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} le {self.date:%d/%m/%Y} : {self.get_result_display()}"

    @property
    def is_exchange(self) -> bool:
        return self.result in EXCHANGE_RESULTS
