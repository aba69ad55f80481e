"""The core shared by every app: people, territories, organisations and memberships."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel

# The per-ETP cost that the framing document's figures imply (3 ETP = 117 600 €).
BUDGET_PER_ETP = Decimal("39200")
MAX_OPERATORS_PER_TERRITORY = 3


class UserManager(DjangoUserManager):
    """Users are identified by their e-mail address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Une adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField("adresse électronique", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Territory(models.Model):
    """One of the 26 départements of annexe 1, with its figures as published."""

    code = models.CharField("numéro de département", max_length=3, unique=True)
    name = models.CharField("département", max_length=100)
    region = models.CharField("région", max_length=100)
    etp = models.PositiveSmallIntegerField("nombre d'ETP")
    budget_2021 = models.DecimalField(
        "budget alloué en 2021 (euros, tel que publié)", max_digits=12, decimal_places=2
    )

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("region"),
        FieldPanel("etp"),
        FieldPanel("budget_2021"),
    ]

    class Meta:
        verbose_name = "territoire"
        verbose_name_plural = "territoires"
        ordering = ["region", "code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def budget_from_etp(self) -> Decimal:
        """The budget the ETP figure implies at 39 200 € per ETP."""
        return self.etp * BUDGET_PER_ETP

    @property
    def budget_differs_from_etp(self) -> bool:
        return self.budget_2021 != self.budget_from_etp


class OrganisationKind(models.TextChoices):
    DIHAL = "dihal", "DIHAL — Pôle national de prévention des expulsions"
    PREFECTURE = "prefecture", "Préfecture (DDETS / DRIHL)"
    OPERATEUR = "operateur", "Opérateur"


class Organisation(ClusterableModel):
    """DIHAL, a prefecture, or an operator of a territory."""

    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=20, choices=OrganisationKind.choices)
    territory = models.ForeignKey(
        Territory,
        verbose_name="territoire",
        on_delete=models.PROTECT,
        related_name="organisations",
        null=True,
        blank=True,
        help_text="Obligatoire pour une préfecture ou un opérateur ; vide pour la DIHAL.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("territory"),
        InlinePanel("memberships", label="Membres"),
    ]

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["kind", "territory__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="organisation_unique_name"),
            models.UniqueConstraint(
                fields=["territory"],
                condition=models.Q(kind="prefecture"),
                name="organisation_one_prefecture_per_territory",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="dihal", territory__isnull=True)
                | (~models.Q(kind="dihal") & models.Q(territory__isnull=False)),
                name="organisation_territory_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.kind == OrganisationKind.DIHAL and self.territory_id:
            raise ValidationError({"territory": "La DIHAL n'est rattachée à aucun territoire."})
        if self.kind != OrganisationKind.DIHAL and not self.territory_id:
            raise ValidationError(
                {"territory": "Une préfecture ou un opérateur doit être rattaché à un territoire."}
            )
        if self.kind == OrganisationKind.OPERATEUR and self.territory_id:
            others = Organisation.objects.filter(
                kind=OrganisationKind.OPERATEUR, territory_id=self.territory_id
            ).exclude(pk=self.pk)
            if others.count() >= MAX_OPERATORS_PER_TERRITORY:
                raise ValidationError(
                    {
                        "territory": (
                            f"Ce territoire compte déjà {MAX_OPERATORS_PER_TERRITORY} opérateurs, "
                            "le maximum prévu par le document de cadrage."
                        )
                    }
                )


class Role(models.TextChoices):
    EDITEUR = "editeur", "Éditeur (DIHAL)"
    RESPONSABLE = "responsable", "Responsable (valide et signe)"
    AGENT = "agent", "Agent (remplit les formulaires)"


class Membership(models.Model):
    """A person's place in an organisation, with the role that decides what they may do."""

    organisation = ParentalKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        User, verbose_name="personne", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.AGENT)

    panels = [FieldPanel("user"), FieldPanel("role")]

    class Meta:
        verbose_name = "appartenance"
        verbose_name_plural = "appartenances"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="membership_unique_user_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    def clean(self) -> None:
        super().clean()
        organisation = getattr(self, "organisation", None) if self.organisation_id else None
        if organisation is None:
            return
        if self.role == Role.EDITEUR and organisation.kind != OrganisationKind.DIHAL:
            raise ValidationError({"role": "Seuls les membres de la DIHAL peuvent être éditeurs."})
        self._refuse_dihal_and_operator(organisation)

    def _refuse_dihal_and_operator(self, organisation) -> None:
        """One person is never both at the DIHAL and at an operator: the operator's members
        read households' names, the DIHAL's must not."""
        if not self.user_id or organisation.kind not in (
            OrganisationKind.DIHAL,
            OrganisationKind.OPERATEUR,
        ):
            return
        other = (
            OrganisationKind.OPERATEUR
            if organisation.kind == OrganisationKind.DIHAL
            else OrganisationKind.DIHAL
        )
        if (
            Membership.objects.filter(user_id=self.user_id, organisation__kind=other)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "organisation": "Une même personne ne peut pas être membre de la DIHAL et "
                    "d'un opérateur : les opérateurs voient l'identité des ménages."
                }
            )


class AuditEntryImmutable(Exception):
    """Raised when code tries to edit or delete an audit row."""


class AuditEntryQuerySet(models.QuerySet):
    """Audit rows are written once: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise AuditEntryImmutable("Les traces d'accès ne se modifient pas.")

    def delete(self):
        raise AuditEntryImmutable("Les traces d'accès ne se suppriment pas.")


class AuditAction(models.TextChoices):
    READ = "lecture", "Consultation"
    EDIT = "modification", "Modification"
    DOWNLOAD = "telechargement", "Téléchargement"
    DOCUMENT = "document", "Génération d'un document"
    EXPORT = "export", "Export"
    TEMPLATE_UPLOAD = "modele_depot", "Dépôt d'un modèle"
    TEMPLATE_ACTIVATION = "modele_activation", "Activation d'un modèle"
    MEMBERSHIP = "appartenance", "Changement d'appartenance ou de rôle"
    PURGE = "purge", "Purge"


class AuditEntry(models.Model):
    """One access that matters: who (role, organisation, territory, address), did what, to
    which object, and when (security.md #14).

    Rows name a household by its pseudonymous reference only, and are never edited nor
    deleted (``AuditEntryQuerySet`` refuses it in the ORM, a trigger in PostgreSQL).
    """

    at = models.DateTimeField("le", auto_now_add=True, db_index=True)
    # No database constraint and nothing done on deletion: a person's account can be
    # deleted, their rows stay as written (with their e-mail address).
    user = models.ForeignKey(
        User,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="personne",
    )
    user_email = models.CharField("adresse de la personne", max_length=254, blank=True)
    role = models.CharField("rôle", max_length=100, blank=True)
    organisation = models.CharField("organisation", max_length=200, blank=True)
    territory_code = models.CharField("territoire", max_length=60, blank=True, db_index=True)
    action = models.CharField("action", max_length=20, choices=AuditAction.choices)
    household_reference = models.CharField("ménage", max_length=20, blank=True, db_index=True)
    submission_id = models.PositiveBigIntegerField("document", null=True, blank=True)
    object_type = models.CharField("type d'objet", max_length=60, blank=True)
    object_reference = models.CharField("objet", max_length=200, blank=True)
    path = models.CharField("adresse", max_length=300, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "trace d'accès"
        verbose_name_plural = "traces d'accès"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        target = self.household_reference or self.object_reference
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_action_display()} {target}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditEntryImmutable("Une trace d'accès ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryImmutable("Une trace d'accès ne se supprime pas.")


class TaskOrigin(models.Model):
    """The request a background task was enqueued in (portal.task_logs): the worker's log
    lines for the task carry that request's id. Deleted when the task has run."""

    task_id = models.CharField("tâche", max_length=64, primary_key=True)
    request_id = models.CharField("identifiant de la requête", max_length=64)
    enqueued_at = models.DateTimeField("mise en file", auto_now_add=True)

    class Meta:
        verbose_name = "origine d'une tâche"
        verbose_name_plural = "origines des tâches"

    def __str__(self) -> str:
        return f"{self.task_id} ← {self.request_id}"


class WorkerHeartbeat(models.Model):
    """A running task worker (manage.py run_worker) and the last time it said it was alive:
    /healthz reads the youngest beat; a worker that stops gracefully removes its row."""

    worker = models.CharField("processus", max_length=128, unique=True)  # host:pid
    started_at = models.DateTimeField("démarré le")
    beat_at = models.DateTimeField("dernier signe de vie", db_index=True)

    class Meta:
        verbose_name = "signe de vie d'un processus de tâches"
        verbose_name_plural = "signes de vie des processus de tâches"

    def __str__(self) -> str:
        return self.worker


class ScheduledRun(models.Model):
    """A daily job enqueued for a day (portal.schedule): the unique (job, day) row, created
    in the same transaction as the enqueued task, is what keeps two workers from running
    the same day's job twice."""

    job = models.CharField("tâche planifiée", max_length=64)
    day = models.DateField("jour")
    enqueued_at = models.DateTimeField("mise en file le", auto_now_add=True)

    class Meta:
        verbose_name = "exécution planifiée"
        verbose_name_plural = "exécutions planifiées"
        constraints = [
            models.UniqueConstraint(fields=["job", "day"], name="portal_scheduledrun_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.job} ({self.day:%d/%m/%Y})"
