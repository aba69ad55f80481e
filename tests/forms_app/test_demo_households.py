"""Synthetic demo households: volumes, statuses and stages, follow-ups due and overdue,
documents that pass their form and tell one story, fictional identities, re-runs."""

from __future__ import annotations

import datetime
import random
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from demo.accounts import DEMO_ACCOUNTS
from demo.household_plans import household_plans
from demo.households import (
    DEMO_HOUSEHOLD_NAMES,
    DEMO_SEED,
    demo_agents,
    demo_households_load,
)
from forms_app.form_builder import answer_form, input_items
from forms_app.models import (
    ContactAttempt,
    Household,
    HouseholdStatus,
    ProcedureStage,
    Submission,
    SubmissionStatus,
    SubmissionTransition,
)

ORGANISATION = {account.email: account.organisation for account in DEMO_ACCOUNTS}
VOLUMES = {"operateur38a@demo.test": 50, "operateur38b@demo.test": 20, "operateur93a@demo.test": 30}
FICTION_PHONES = ("06 39 98 ", "04 65 71 ", "01 99 00 ")
BILAN_PERIODS = {
    2021: (datetime.date(2021, 1, 1), datetime.date(2021, 6, 30)),
    2022: (datetime.date(2021, 7, 1), datetime.date(2022, 6, 30)),
}
DRAFT = SubmissionStatus.DRAFT


def _households(email: str):
    return Household.objects.filter(operator__name=ORGANISATION[email])


def _documents(slug: str, *, filed: bool = True) -> list[Submission]:
    documents = Submission.objects.filter(
        household__isnull=False, form_version__form__slug=slug
    ).select_related("household", "form_version")
    status = {"status__in": [SubmissionStatus.SUBMITTED]} if filed else {"status": DRAFT}
    return list(documents.filter(**status))


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


# First in the module: the other tests share households loaded once (demo_households_once).
def test_refuses_without_the_demo_setting(demo_accounts, settings):
    settings.PORTAL_DEMO_DATA_ENABLED = False
    with pytest.raises(ImproperlyConfigured):
        demo_households_load()
    assert not Household.objects.exists()


def test_volumes_statuses_and_stages_per_operator(demo_households_once, db):
    for email, volume in VOLUMES.items():
        assert _households(email).count() == volume, email
    mine = _households("operateur38a@demo.test")
    assert set(mine.values_list("status", flat=True)) == set(HouseholdStatus.values)
    stages = Counter(mine.values_list("stage", flat=True))
    assert set(stages) == set(ProcedureStage.values)
    amont = stages[ProcedureStage.CDP] + stages[ProcedureStage.ASSIGNATION]
    assert amont > sum(stages.values()) - amont
    assert {h.territory.code for h in _households("operateur93a@demo.test")} == {"93"}


def test_follow_ups_are_due_soon_or_overdue_only_for_recent_cases(demo_households_once, db):
    today = timezone.localdate()
    due = list(
        Household.objects.exclude(veille_due_on=None).values_list("veille_due_on", flat=True)
    )
    overdue = [day for day in due if day < today]
    assert len(overdue) >= 5
    assert len(due) - len(overdue) >= 5
    # Past cases have their follow-up filed: nothing is due for a case of 2021.
    assert all(
        today - datetime.timedelta(days=45) <= day <= today + datetime.timedelta(days=15)
        for day in due
    )
    recent_referrals = Household.objects.filter(
        status=HouseholdStatus.A_CONTACTER, referred_on__gte=today - datetime.timedelta(days=21)
    )
    assert recent_referrals.count() >= 5
    assert not Household.objects.filter(referred_on__gt=today).exists()
    assert not ContactAttempt.objects.filter(date__gt=today).exists()


def _required_keys(submission: Submission) -> set[str]:
    return {
        item["value"]["key"]
        for item in input_items(submission.form_version.schema)
        if item["value"].get("required") and item["type"] != "file"
    }


def test_filed_documents_pass_their_form_and_drafts_stay_drafts(demo_households_once, db):
    filed = Submission.objects.filter(household__isnull=False).exclude(status=DRAFT)
    assert filed.count() >= 80
    for document in filed.select_related("form_version"):
        form = answer_form(
            schema=document.form_version.schema, data=MultiValueDict(document.draft_input)
        )
        assert form.is_valid(), (document, form.errors_by_key())
        assert form.cleaned_json() == document.data
        for key in _required_keys(document):
            assert document.data.get(key) not in (None, "", []), (document, key)
        assert document.submitted_at is not None
        transition = document.transitions.get()
        assert (transition.from_status, transition.at) == (DRAFT, document.submitted_at)
    drafts = Submission.objects.filter(household__isnull=False, status=DRAFT)
    assert drafts.count() >= 3
    assert len({draft.form_version.form_id for draft in drafts}) >= 2
    for draft in drafts:
        assert draft.data == {} and draft.submitted_at is None and draft.draft_input
        assert not draft.transitions.exists()


def test_documents_tell_one_story_per_household(demo_households_once, db):
    diagnostics = {d.household_id: d.data for d in _documents("diagnostic-social-et-financier")}
    contracts = {c.household_id: c.data for c in _documents("contrat-d-engagement")}
    met = ContactAttempt.objects.filter(result="rencontre").values("household").distinct().count()
    # domain.md §6: diagnostics for about 60 % of the households met, contracts for 40 %.
    assert 0.55 <= len(diagnostics) / met <= 0.7
    assert 0.35 <= len(contracts) / met <= 0.5
    for household_id, data in diagnostics.items():
        assert Decimal(2000) <= Decimal(data["montant_dette"]) <= Decimal(15000)
        assert 1 <= len(data["demarches_proposees"]) <= 4
        household = Household.objects.get(pk=household_id)
        assert household.referred_on <= _date(data["date_entretien"])
        assert data["nom"] == household.nom and data["stade"] == household.stage
    for household_id, data in contracts.items():
        diagnostic = diagnostics[household_id]
        assert _date(diagnostic["date_entretien"]) < _date(data["date_signature"])
        steps = [line["demarche"] for line in data["engagements"]]
        assert steps == diagnostic["demarches_proposees"]
        assert all(line["objectif"] for line in data["engagements"])
    for veille in _documents("veille-sociale-post-intervention"):
        data = veille.data
        assert _date(data["date_dernier_echange"]) <= _date(data["date_contact"])
        if data["issue"] in {"cloture", "orientation_droit_commun"}:
            assert veille.household.status == HouseholdStatus.CLOS
    steps = Counter(step for data in diagnostics.values() for step in data["demarches_proposees"])
    assert {"mediation_bailleur", "fsl", "demande_logement_social"} <= set(steps)


def test_the_bilans_periods_hold_households_met_diagnosed_and_accompanied(demo_households_once, db):
    diagnostics = _documents("diagnostic-social-et-financier")
    contracts = _documents("contrat-d-engagement")
    veilles = _documents("veille-sociale-post-intervention")
    for first, last in BILAN_PERIODS.values():
        assert sum(first <= _date(d.data["date_entretien"]) <= last for d in diagnostics) >= 5
        assert sum(first <= _date(c.data["date_signature"]) <= last for c in contracts) >= 3
    issues = Counter(v.data["issue"] for v in veilles)
    assert {"cloture", "orientation_droit_commun", "poursuite"} <= set(issues)
    assert any(v.data.get("impaye_resorbe") is True for v in veilles)


def test_case_files_are_fictional_and_dated_as_their_story(demo_households_once, db):
    households = list(Household.objects.all())
    surnames = [household.nom for household in households]
    assert len(set(surnames)) == len(surnames)
    assert set(surnames) <= set(DEMO_HOUSEHOLD_NAMES)
    for household in households:
        assert household.telephone.startswith(FICTION_PHONES), household.telephone
        assert household.email == "" or household.email.endswith("@example.org")
        code = household.adresse_logement.rsplit(", ", 1)[1][:2]
        assert code == household.territory.code
        assert timezone.localdate(household.created_at) == household.referred_on
    attempts = ContactAttempt.objects.all()
    assert max(Counter(a.household_id for a in attempts).values()) <= 4
    assert all(timezone.localdate(attempt.created_at) == attempt.date for attempt in attempts)


def test_a_second_load_creates_nothing(demo_households_once, db):
    counts = _row_counts()
    assert demo_households_load() == 0
    assert _row_counts() == counts


def _row_counts() -> dict[str, int]:
    return {
        "households": Household.objects.count(),
        "contacts": ContactAttempt.objects.count(),
        "documents": Submission.objects.filter(household__isnull=False).count(),
        "transitions": SubmissionTransition.objects.count(),
    }


def test_the_plans_are_the_same_on_every_run_and_names_whatever_the_day():
    today = datetime.date(2026, 3, 2)

    def fields(day: datetime.date) -> list[dict]:
        rng = random.Random(DEMO_SEED)  # noqa: S311 - the demo's own seed
        plans = household_plans(rng=rng, today=day, agents=demo_agents())
        return [plan.fields for plan in plans]

    first = fields(today)
    assert first == fields(today)
    assert [f["nom"] for f in first] == [f["nom"] for f in fields(today + datetime.timedelta(99))]
    assert len(first) == sum(VOLUMES.values())
