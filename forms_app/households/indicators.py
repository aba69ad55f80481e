"""The bilan d'étape's activity counters computed from the operators' household files.

The one place that says how household data makes each counter: ``FIELD_INDICATORS`` maps a
bilan key to a function of the period's facts. Only filed documents count (a draft is work
in progress), and each is dated by what it records (the interview, the signature, the
follow-up contact), not by when it was typed. Results are counts: no one learns anything
about a single household from them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    JSONField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.utils import timezone

from forms_app.models import (
    ContactAttempt,
    ContactResult,
    Household,
    HouseholdRole,
    PurgedHouseholdCounts,
    Submission,
    SubmissionStatus,
)

ROLE_PATH = "form_version__form__advanced_settings__household_role"
# The date each document records, by role; the filing date when it is missing.
DOCUMENT_DATE_KEYS = {
    HouseholdRole.DIAGNOSTIC: "date_entretien",
    HouseholdRole.CONTRAT: "date_signature",
    HouseholdRole.VEILLE: "date_contact",
}
APUREMENT_STEPS = frozenset({"mediation_bailleur", "fsl", "action_logement", "surendettement"})
RELOGEMENT_STEPS = frozenset({"demande_logement_social", "dalo"})
HEBERGEMENT_STEPS = frozenset({"siao"})
LANDLORD_STEPS = frozenset({"mediation_bailleur"})


@dataclass(frozen=True)
class Document:
    household_id: int
    role: str
    date: datetime.date | None
    data: dict[str, Any]  # only what the counters read: engagements, impaye_resorbe

    def steps(self) -> list[str]:
        """The ``demarche`` of each engagement line (contracts)."""
        rows = self.data.get("engagements") or []
        return [row.get("demarche") for row in rows if isinstance(row, dict)]


@dataclass
class PeriodFacts:
    """What happened in the period, read once from the households in scope."""

    met: set[int] = field(default_factory=set)
    documents: list[Document] = field(default_factory=list)

    def of_role(self, role: str) -> list[Document]:
        return [document for document in self.documents if document.role == role]

    def households_with_steps(self, steps: frozenset[str]) -> int:
        return len(
            {
                document.household_id
                for document in self.of_role(HouseholdRole.CONTRAT)
                if steps & set(document.steps())
            }
        )


def _met(facts: PeriodFacts) -> int:
    """Met: a contact attempt where the household was met, or a diagnostic interview."""
    return len(facts.met | {d.household_id for d in facts.of_role(HouseholdRole.DIAGNOSTIC)})


def _apurement_lines(facts: PeriodFacts) -> int:
    """Each contract line that mobilises a debt-clearing scheme counts once."""
    return sum(
        1
        for document in facts.of_role(HouseholdRole.CONTRAT)
        for step in document.steps()
        if step in APUREMENT_STEPS
    )


def _debts_cleared(facts: PeriodFacts) -> int:
    return len(
        {
            d.household_id
            for d in facts.of_role(HouseholdRole.VEILLE)
            if d.data.get("impaye_resorbe") is True
        }
    )


@dataclass(frozen=True)
class FieldIndicator:
    key: str
    label: str
    compute: Callable[[PeriodFacts], int]


FIELD_INDICATORS: tuple[FieldIndicator, ...] = (
    FieldIndicator("nb_menages_rencontres", "Ménages rencontrés", _met),
    FieldIndicator(
        "nb_diagnostics",
        "Diagnostics réalisés",
        lambda facts: len(facts.of_role(HouseholdRole.DIAGNOSTIC)),
    ),
    FieldIndicator(
        "nb_menages_accompagnes",
        "Ménages accompagnés (contrat signé)",
        lambda facts: len({d.household_id for d in facts.of_role(HouseholdRole.CONTRAT)}),
    ),
    FieldIndicator(
        "nb_bailleurs_contactes",
        "Bailleurs contactés (médiation)",
        lambda facts: facts.households_with_steps(LANDLORD_STEPS),
    ),
    FieldIndicator(
        "nb_dispositifs_apurement", "Dispositifs d'apurement mobilisés", _apurement_lines
    ),
    FieldIndicator("nb_impayes_resorbes", "Impayés résorbés", _debts_cleared),
    FieldIndicator(
        "nb_relogements_accompagnes",
        "Relogements accompagnés",
        lambda facts: facts.households_with_steps(RELOGEMENT_STEPS),
    ),
    FieldIndicator(
        "nb_orientations_hebergement",
        "Orientations vers l'hébergement",
        lambda facts: facts.households_with_steps(HEBERGEMENT_STEPS),
    ),
)


def _document_date(recorded: Any, submitted_at) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(recorded))
    except ValueError:
        return timezone.localdate(submitted_at) if submitted_at else None


# Only what the counters read is fetched from each document's answers, not the whole JSON,
# and only what its role needs: the date it records, a contract's engagement lines, a
# follow-up's debt cleared. Each extraction decompresses the stored JSON again (PostgreSQL
# keeps no detoasted copy between operators): five per document cost three times the two
# that a role needs (docs/performance.md).
def _by_role(values: dict[str, Any], output_field) -> Case:
    return Case(
        *(When(**{ROLE_PATH: role}, then=value) for role, value in values.items()),
        default=Value(None),
        output_field=output_field,
    )


def _filed_documents(households: QuerySet[Household]):
    """(household id, role, filing time, debt cleared, engagements, recorded date) of every
    filed document of ``households``."""
    return (
        Submission.objects.filter(household__in=households)
        .exclude(status=SubmissionStatus.DRAFT)
        # Submission's default ordering joins the territory and the organisation and sorts
        # every filed document by them; the counters need no order.
        .order_by()
        .annotate(
            _cleared=_by_role(
                {
                    HouseholdRole.VEILLE: ExpressionWrapper(
                        Q(data__impaye_resorbe=True), output_field=BooleanField()
                    )
                },
                BooleanField(),
            ),
            _engagements=_by_role({HouseholdRole.CONTRAT: F("data__engagements")}, JSONField()),
            _date=_by_role(
                {role: KT(f"data__{key}") for role, key in DOCUMENT_DATE_KEYS.items()},
                CharField(),
            ),
        )
        .values_list("household_id", ROLE_PATH, "submitted_at", "_cleared", "_engagements", "_date")
    )


def period_facts(
    *, households: QuerySet[Household], start: datetime.date, end: datetime.date
) -> PeriodFacts:
    """The filed documents and the meetings of ``households`` dated within [start, end]."""
    facts = PeriodFacts()
    facts.met = set(
        ContactAttempt.objects.filter(
            household__in=households,
            result=ContactResult.RENCONTRE,
            date__range=(start, end),
        )
        .order_by()  # a set: the model's ordering would only add a sort
        .values_list("household_id", flat=True)
    )
    for household_id, role, submitted_at, cleared, engagements, recorded in _filed_documents(
        households
    ):
        date = _document_date(recorded, submitted_at)
        if date is not None and start <= date <= end:
            data = {"engagements": engagements, "impaye_resorbe": bool(cleared)}
            facts.documents.append(Document(household_id, role, date, data))
    return facts


def _purged_figures(
    *,
    purged: QuerySet[PurgedHouseholdCounts],
    start: datetime.date,
    end: datetime.date,
    by: str | None = None,
) -> dict[Any, dict[str, int]]:
    """What households purged since gave to the period [start, end], summed per value of
    ``by`` (everything under None when not given)."""
    rows = purged.filter(period_start=start, period_end=end)
    pairs = (
        rows.values_list(by, "counts")
        if by
        else ((None, c) for c in rows.values_list("counts", flat=True))
    )
    figures: dict[Any, dict[str, int]] = {}
    for group, counts in pairs:
        into = figures.setdefault(group, {})
        for key, value in counts.items():
            into[key] = into.get(key, 0) + int(value)
    return figures


def field_indicators(
    *,
    households: QuerySet[Household],
    purged: QuerySet[PurgedHouseholdCounts],
    start: datetime.date,
    end: datetime.date,
) -> dict[str, int]:
    """Each counter's figure for the period, by bilan key: the remaining households' plus
    what the purged ones of the same scope (``purged``) left for this period."""
    facts = period_facts(households=households, start=start, end=end)
    kept = _purged_figures(purged=purged, start=start, end=end).get(None, {})
    return {
        indicator.key: indicator.compute(facts) + kept.get(indicator.key, 0)
        for indicator in FIELD_INDICATORS
    }


def household_figures_by(
    *, households: QuerySet[Household], start: datetime.date, end: datetime.date, by: str
) -> dict[Any, dict[str, int]]:
    """Each counter's figure per value of ``by`` (a household column), plus
    ``nb_menages_orientes`` (households referred within the period): the same documents
    read once for every group. Households only, purged ones aside."""
    facts = period_facts(households=households, start=start, end=end)
    # Unordered: the model's ordering would sort every household for a dict and a count.
    group_of = dict(households.order_by().values_list("pk", by))
    split: dict[Any, PeriodFacts] = {group: PeriodFacts() for group in set(group_of.values())}
    for household_id in facts.met:
        split[group_of[household_id]].met.add(household_id)
    for document in facts.documents:
        split[group_of[document.household_id]].documents.append(document)
    referred: dict[Any, int] = {}
    in_period = households.filter(referred_on__range=(start, end)).order_by()
    for group in in_period.values_list(by, flat=True):
        referred[group] = referred.get(group, 0) + 1
    return {
        group: {
            "nb_menages_orientes": referred.get(group, 0),
            **{indicator.key: indicator.compute(part) for indicator in FIELD_INDICATORS},
        }
        for group, part in split.items()
    }


def field_indicators_by_territory(
    *,
    households: QuerySet[Household],
    purged: QuerySet[PurgedHouseholdCounts],
    start: datetime.date,
    end: datetime.date,
) -> dict[str, dict[str, int]]:
    """Each counter's figure per territory code, plus ``nb_menages_orientes``: the
    remaining households' and what the purged ones left."""
    figures = household_figures_by(
        households=households, start=start, end=end, by="territory__code"
    )
    left = _purged_figures(purged=purged, start=start, end=end, by="territory__code")
    for code, counts in left.items():
        into = figures.setdefault(code, dict.fromkeys(counts, 0))
        for key, value in counts.items():
            into[key] = into.get(key, 0) + value
    return figures


def households_behind(submission: Submission) -> QuerySet[Household]:
    """The households a campaign answer reports on: a prefecture's whole territory, an
    operator's own."""
    if submission.organisation.kind == "operateur":
        return Household.objects.filter(operator_id=submission.organisation_id)
    return Household.objects.filter(territory_id=submission.territory_id)


def purged_behind(submission: Submission) -> QuerySet[PurgedHouseholdCounts]:
    """What purged households of the same scope as ``households_behind`` left."""
    if submission.organisation.kind == "operateur":
        return PurgedHouseholdCounts.objects.filter(operator_id=submission.organisation_id)
    return PurgedHouseholdCounts.objects.filter(territory_id=submission.territory_id)


def indicators_for_answer(submission: Submission) -> dict[str, int]:
    """The computed counters the answer's form asks for, over its campaign's period; empty
    for a campaign without a period or a form without these counters."""
    campaign = submission.campaign
    if campaign is None or not (campaign.period_start and campaign.period_end):
        return {}
    keys = set(submission.form_version.input_keys)
    if not keys & {indicator.key for indicator in FIELD_INDICATORS}:
        return {}
    figures = field_indicators(
        households=households_behind(submission),
        purged=purged_behind(submission),
        start=campaign.period_start,
        end=campaign.period_end,
    )
    return {key: value for key, value in figures.items() if key in keys}
