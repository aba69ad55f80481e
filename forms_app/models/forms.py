"""Form definitions: per-form settings and frozen versions of a form's fields."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from wagtailstreamforms.models import AbstractFormSetting

from forms_app.field_types import field_type
from forms_app.storage import private_storage


class Scope(models.TextChoices):
    TERRITOIRE = "territoire", "Par territoire"
    OPERATEUR = "operateur", "Par opérateur"
    MENAGE = "menage", "Par ménage"


class Filler(models.TextChoices):
    PREFECTURE = "prefecture", "La préfecture"
    OPERATEUR = "operateur", "L'opérateur"


class HouseholdRole(models.TextChoices):
    """What a household form is in the case file: the portal prefills and counts by role."""

    DIAGNOSTIC = "diagnostic", "Diagnostic social et financier"
    CONTRAT = "contrat", "Contrat d'engagement"
    VEILLE = "veille", "Veille sociale post-intervention (plusieurs par ménage)"


# How long a household form's documents are kept once the case is closed, unless the form
# says otherwise: two years leaves time for a household to come back to the team, after
# which nothing in the scheme needs a family's file any more (issue 11).
DEFAULT_HOUSEHOLD_RETENTION_MONTHS = 24


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
    household_role = models.CharField(
        "rôle dans le dossier ménage",
        max_length=20,
        choices=HouseholdRole.choices,
        blank=True,
        help_text=(
            "Pour un formulaire par ménage : le contrat est prérempli depuis le diagnostic, "
            "la veille depuis le contrat, et les indicateurs du bilan en sont calculés."
        ),
    )

    retention_months = models.PositiveSmallIntegerField(
        "durée de conservation (mois)",
        default=DEFAULT_HOUSEHOLD_RETENTION_MONTHS,
        validators=[MinValueValidator(1)],
        help_text=(
            "Pour un formulaire par ménage : nombre de mois pendant lesquels ses documents "
            "sont conservés après la clôture du dossier. Le dossier du ménage est supprimé "
            "quand la plus longue durée de ses documents est écoulée ; seuls des comptes "
            "anonymes restent pour les bilans."
        ),
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
        """The keys of the schema's items that ask something (no section titles, no help
        texts), as ``forms_app.form_builder.input_items`` lists them."""
        return [item["value"]["key"] for item in self.schema if field_type(item["type"]).is_input]


class Campaign(models.Model):
    """A form opened to expected respondents for a period, with a due date."""

    form = models.ForeignKey(
        "wagtailstreamforms.Form",
        verbose_name="formulaire",
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    title = models.CharField("titre", max_length=200)
    opens_on = models.DateField("ouverture")
    due_on = models.DateField("date limite")
    period_start = models.DateField("début de la période couverte", null=True, blank=True)
    period_end = models.DateField("fin de la période couverte", null=True, blank=True)
    expected = models.ManyToManyField(
        "portal.Organisation",
        verbose_name="répondants attendus",
        related_name="expected_campaigns",
        blank=True,
        help_text=(
            "Laisser vide pour attendre une réponse de chaque préfecture (formulaire rempli "
            "par la préfecture) ou de chaque opérateur (formulaire rempli par l'opérateur)."
        ),
    )
    # Scheduled reminders (forms_app.reminders, run each morning by the task worker): at most
    # 60 days either side, a campaign's span being a few weeks.
    reminder_days_before = models.PositiveSmallIntegerField(
        "relance avant la date limite (jours)",
        default=7,
        validators=[MaxValueValidator(60)],
        help_text=(
            "Nombre de jours avant la date limite où les répondants qui n'ont pas encore "
            "transmis leur réponse reçoivent un rappel automatique. 0 : aucun rappel."
        ),
    )
    reminder_days_after = models.PositiveSmallIntegerField(
        "relance après la date limite (jours)",
        default=3,
        validators=[MaxValueValidator(60)],
        help_text=(
            "Nombre de jours après la date limite où les répondants en retard reçoivent une "
            "relance automatique. 0 : aucune relance."
        ),
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "campagne"
        verbose_name_plural = "campagnes"
        ordering = ["-due_on", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.opens_on and self.due_on and self.due_on < self.opens_on:
            raise ValidationError({"due_on": "La date limite doit suivre la date d'ouverture."})
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "La fin de période doit suivre son début."})
        settings_ = getattr(self.form, "advanced_settings", None) if self.form_id else None
        if settings_ is not None and settings_.scope == Scope.MENAGE:
            raise ValidationError(
                {
                    "form": "Ce formulaire se remplit par ménage, dans le dossier de chaque "
                    "ménage : il ne s'ouvre pas en campagne."
                }
            )


class SubmissionStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    SUBMITTED = "soumise", "Transmise"
    RETURNED = "renvoyee", "Renvoyée pour correction"
    ACCEPTED = "acceptee", "Acceptée"


EDITABLE_STATUSES = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


class Submission(models.Model):
    """One respondent's answer to a campaign, with the form version it was filled with."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name="campagne",
        on_delete=models.PROTECT,
        related_name="submissions",
        null=True,
        blank=True,
        help_text="Vide pour un document du dossier d'un ménage.",
    )
    household = models.ForeignKey(
        "forms_app.Household",
        verbose_name="ménage",
        on_delete=models.CASCADE,
        related_name="documents",
        null=True,
        blank=True,
    )
    organisation = models.ForeignKey(
        "portal.Organisation",
        verbose_name="organisation",
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    territory = models.ForeignKey(
        "portal.Territory",
        verbose_name="territoire",
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    form_version = models.ForeignKey(
        FormVersion, verbose_name="version du formulaire", on_delete=models.PROTECT
    )
    data = models.JSONField("réponses", default=dict, blank=True)
    draft_input = models.JSONField(
        "saisie en cours",
        default=dict,
        blank=True,
        help_text="Ce qui a été tapé, tel quel, pour ne rien perdre avant la transmission.",
    )
    status = models.CharField(
        "statut", max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    revision = models.PositiveIntegerField("révision", default=1)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("transmise le", null=True, blank=True)
    # The idempotency token of the button that created it (« Commencer », « Nouvelle
    # veille »: forms_app.idempotency).
    creation_token = models.UUIDField(
        "jeton de création", null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        verbose_name = "réponse"
        verbose_name_plural = "réponses"
        ordering = ["territory__code", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], name="submission_one_per_respondent"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(campaign__isnull=False, household__isnull=True)
                    | models.Q(campaign__isnull=True, household__isnull=False)
                ),
                name="submission_campaign_or_household",
            ),
        ]

    def __str__(self) -> str:
        if self.household_id:
            return f"{self.form_version.form} — {self.household}"
        return f"{self.campaign} — {self.organisation}"

    @property
    def title(self) -> str:
        """The campaign's title, or the form's for a household document."""
        return self.campaign.title if self.campaign_id else self.form_version.form.title

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class SubmissionFile(models.Model):
    """A file attached to an answer, kept in private storage and served after a check."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    key = models.CharField("clé du champ", max_length=60)
    file = models.FileField("fichier", upload_to="reponses/%Y/%m/", storage=private_storage)
    original_name = models.CharField("nom d'origine", max_length=255)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "fichier joint"
        verbose_name_plural = "fichiers joints"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_filed(self) -> bool:
        """Whether the transmitted answer refers to this file (not a later draft upload)."""
        reference = (self.submission.data or {}).get(self.key)
        return isinstance(reference, dict) and reference.get("file_id") == self.pk

    def as_reference(self) -> dict:
        """How the answer's JSON refers to the file."""
        return {"file_id": self.pk, "name": self.original_name, "size": self.size}


class SubmissionTransition(models.Model):
    """Every change of an answer's status: who, when, and the comment when it is returned."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=SubmissionStatus.choices)
    to_status = models.CharField(max_length=20, choices=SubmissionStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "changement de statut"
        verbose_name_plural = "changements de statut"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class CampaignReminder(models.Model):
    """A reminder e-mail sent to a late respondent: at most one per respondent and day."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    organisation = models.ForeignKey(
        "portal.Organisation", on_delete=models.CASCADE, related_name="reminders"
    )
    sent_on = models.DateField("envoyée le")
    sent_at = models.DateTimeField("envoyée à", auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients = models.PositiveIntegerField("destinataires", default=0)

    class Meta:
        verbose_name = "relance"
        verbose_name_plural = "relances"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation", "sent_on"], name="reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"Relance {self.campaign} — {self.organisation} ({self.sent_on:%d/%m/%Y})"
