"""Reads of households, always through the permissions module's querysets.

Operators read their own households by name; prefectures and DIHAL read counts and
pseudonymised rows (``portal.permissions.HOUSEHOLD_SHARED_FIELDS``) and nothing else.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from forms_app.households.services import household_forms, household_role
from forms_app.models import (
    Household,
    HouseholdRole,
    HouseholdSource,
    HouseholdStatus,
    ProcedureStage,
    Submission,
    SubmissionStatus,
)
from forms_app.models.households import AMONT_STAGES
from forms_app.selectors import today
from portal import permissions
from portal.charts import BarSegment, stacked_segments
from portal.models import User


def households_for_operator(
    *, user: User, stage: str = "", status: str = "", query: str = ""
) -> QuerySet[Household]:
    """The operator's households, filtered by stage, status, and a reference or a name."""
    households = permissions.households_followed_by(user)
    if stage:
        households = households.filter(stage=stage)
    if status:
        households = households.filter(status=status)
    if query.strip():
        words = query.strip()
        households = households.filter(
            Q(reference__icontains=words) | Q(nom__icontains=words) | Q(prenom__icontains=words)
        )
    return households.order_by("-referred_on", "reference")


def status_counts(households: QuerySet[Household]) -> dict[str, int]:
    """How many households in each status (every status present, zero included)."""
    counts = dict(
        households.order_by()
        .values_list("status")
        .annotate(total=Count("pk"))
        .values_list("status", "total")
    )
    return {status: counts.get(status, 0) for status in HouseholdStatus.values}


def veilles_to_do(*, user: User) -> QuerySet[Household]:
    """The operator's households awaiting their follow-up, the most overdue first."""
    return (
        permissions.households_followed_by(user)
        .filter(veille_due_on__isnull=False)
        .order_by("veille_due_on", "reference")
    )


@dataclass(frozen=True)
class VeilleCounts:
    due: int
    overdue: int


def veille_counts(*, user: User) -> VeilleCounts:
    due = veilles_to_do(user=user)
    return VeilleCounts(due=due.count(), overdue=due.filter(veille_due_on__lt=today()).count())


@dataclass(frozen=True)
class TimelineEvent:
    date: datetime.date | None
    kind: str  # orientation, contact, document, veille_due
    title: str
    detail: str = ""
    submission: Submission | None = None


@dataclass(frozen=True)
class HouseholdDocuments:
    """The household's documents by form, in the case's order, for the household page."""

    form: object
    role: str
    documents: list[Submission]

    @property
    def repeatable(self) -> bool:
        return self.role == HouseholdRole.VEILLE

    @property
    def can_start(self) -> bool:
        """A first document; a further follow-up once none is being typed."""
        if self.repeatable:
            return not any(document.is_editable for document in self.documents)
        return not self.documents


def household_documents(*, household: Household) -> list[HouseholdDocuments]:
    documents = list(
        household.documents.select_related("form_version__form").order_by("created_at", "pk")
    )
    return [
        HouseholdDocuments(
            form=form,
            role=household_role(form),
            documents=[d for d in documents if d.form_version.form_id == form.pk],
        )
        for form in household_forms()
    ]


def household_timeline(*, household: Household) -> list[TimelineEvent]:
    """Referral, contact attempts, documents and the coming follow-up, by date."""
    events = [
        TimelineEvent(
            household.referred_on,
            "orientation",
            "Orientation vers l'équipe mobile",
            HouseholdSource(household.source).label,
        )
    ]
    events += [
        TimelineEvent(
            attempt.date,
            "contact",
            f"Tentative de contact — {attempt.get_mode_display()}",
            attempt.get_result_display(),
        )
        for attempt in household.contact_attempts.all()
    ]
    for document in household.documents.select_related("form_version__form"):
        filed = document.status != SubmissionStatus.DRAFT and document.submitted_at
        events.append(
            TimelineEvent(
                timezone.localdate(document.submitted_at if filed else document.created_at),
                "document",
                document.form_version.form.title,
                "Finalisé" if filed else "En cours de saisie",
                document,
            )
        )
    if household.veille_due_on:
        events.append(
            TimelineEvent(
                household.veille_due_on,
                "veille_due",
                "Veille sociale à faire",
                "en retard" if household.veille_due_on < today() else "à venir",
            )
        )
    return sorted(events, key=lambda event: (event.date or datetime.date.min, event.kind))


# --- Pseudonymised overview (prefectures, DIHAL) ---------------------------------------


@dataclass(frozen=True)
class TerritoryHouseholds:
    code: str
    name: str
    total: int
    by_status: dict[str, int]
    by_stage: dict[str, int]

    @property
    def segments(self) -> list[BarSegment]:
        """The territory's bar: one segment per status, in the case's order."""
        return stacked_segments(
            (status, HouseholdStatus(status).label, count)
            for status, count in self.by_status.items()
        )

    @property
    def amont(self) -> int:
        return sum(self.by_stage[stage] for stage in AMONT_STAGES)

    @property
    def aval(self) -> int:
        return self.total - self.amont


def household_overview(*, user: User, territory_code: str = "") -> list[TerritoryHouseholds]:
    """Counts by territory, status and stage, in two queries whatever the volume."""
    households = permissions.households_counted_for(user)
    if territory_code:
        households = households.filter(territory__code=territory_code)
    names: dict[str, str] = {}
    by_status: dict[str, Counter] = {}
    by_stage: dict[str, Counter] = {}
    for column, counters in (("status", by_status), ("stage", by_stage)):
        grouped = (
            households.order_by()
            .values("territory__code", "territory__name", column)
            .annotate(total=Count("pk"))
        )
        for row in grouped:
            names[row["territory__code"]] = row["territory__name"]
            counters.setdefault(row["territory__code"], Counter())[row[column]] += row["total"]
    return [
        TerritoryHouseholds(
            code=code,
            name=names[code],
            total=sum(by_status[code].values()),
            by_status={status: by_status[code][status] for status in HouseholdStatus.values},
            by_stage={stage: by_stage[code][stage] for stage in ProcedureStage.values},
        )
        for code in sorted(by_status)
    ]


def pseudonymised_rows(*, user: User, territory_code: str = "", status: str = "") -> QuerySet:
    """Rows of households with their shared fields only, as dictionaries: the queryset
    never loads a name, an address, a phone number or a document."""
    households = permissions.households_counted_for(user)
    if territory_code:
        households = households.filter(territory__code=territory_code)
    if status:
        households = households.filter(status=status)
    return households.order_by("territory__code", Lower("reference")).values(
        *permissions.HOUSEHOLD_SHARED_FIELDS
    )
