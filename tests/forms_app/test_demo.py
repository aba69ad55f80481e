"""Synthetic demo answers: volumes, statuses, dates, consistent figures and history."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from demo.answers import demo_answers_load
from forms_app.form_builder import answer_form, input_items
from forms_app.models import Submission, SubmissionFile, SubmissionStatus, SubmissionTransition

PARIS = ZoneInfo("Europe/Paris")
LETTRE_DUE = datetime.date(2020, 12, 29)
BILANS = {"Bilan d'étape 2021": 2021, "Bilan d'étape 2022": 2022}
DRAFT = SubmissionStatus.DRAFT


def _answers(title: str) -> list[Submission]:
    return list(
        Submission.objects.filter(campaign__title=title).select_related(
            "campaign", "territory", "form_version"
        )
    )


def _required_keys(submission: Submission) -> set[str]:
    return {
        item["value"]["key"]
        for item in input_items(submission.form_version.schema)
        if item["value"].get("required") and item["type"] != "file"
    }


def _local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(PARIS).date()


def _assert_complete(submission: Submission) -> None:
    """Every required key is answered and every integer is a count (≥ 0)."""
    data = submission.data
    for key in _required_keys(submission):
        assert data.get(key) not in (None, "", []), (submission, key)
    for item in input_items(submission.form_version.schema):
        value = data.get(item["value"]["key"])
        if item["type"] == "integer" and value is not None:
            assert isinstance(value, int) and value >= 0, (submission, item["value"]["key"])


# First in the module: the other tests share answers loaded once (demo_data_once).
def test_refuses_without_the_demo_setting(portal_content, settings):
    settings.PORTAL_DEMO_DATA_ENABLED = False
    with pytest.raises(ImproperlyConfigured):
        demo_answers_load()
    assert not Submission.objects.exists()


def test_lettres_volumes_lateness_and_drafts(demo_data_once, db):
    answers = _answers("Lettre de préfiguration")
    assert len(answers) == 26
    assert len({answer.territory_id for answer in answers}) == 26
    drafts = [answer for answer in answers if answer.status == DRAFT]
    sent = [answer for answer in answers if answer.status != DRAFT]
    late = [answer for answer in sent if _local_date(answer.submitted_at) > LETTRE_DUE]
    assert len(drafts) >= 2
    assert len(late) >= 3
    assert len(sent) - len(late) >= 18
    statuses = {answer.status for answer in sent}
    assert {SubmissionStatus.ACCEPTED, SubmissionStatus.RETURNED} <= statuses
    for draft in drafts:
        assert draft.data == {} and draft.submitted_at is None
        assert 0 < len(_draft_keys(draft)) < len(_required_keys(draft))


def _draft_keys(submission: Submission) -> set[str]:
    return {key.split("-", 1)[0] for key in submission.draft_input}


def test_transmitted_lettres_are_complete_and_plausible(demo_data_once, db):
    for answer in _answers("Lettre de préfiguration"):
        if answer.status == DRAFT:
            continue
        _assert_complete(answer)
        data = answer.data
        assert data["signataire_prefet"].startswith(("Le préfet ", "La préfète "))
        signed = datetime.date.fromisoformat(data["date_signature"])
        assert (signed.year, signed.month) == (2020, 12)
        assert signed <= _local_date(answer.submitted_at)
        rows = data["q2_operateurs_pressentis"]
        assert 1 <= data["q2_nb_operateurs"] == len(rows) <= 3
        assert all(row["nom"].endswith("(démo)") for row in rows)
        assert Decimal(data["q6_etp"]) <= answer.territory.etp
        assert answer.files.filter(key="lettre_signee_pdf").exists()


@pytest.mark.parametrize("title", BILANS)
def test_bilans_one_per_territory_with_consistent_figures(demo_data_once, db, title):
    answers = _answers(title)
    assert len(answers) == 26
    assert len({answer.territory_id for answer in answers}) == 26
    sent = [answer for answer in answers if answer.status != DRAFT]
    assert len(sent) >= 22
    for answer in sent:
        _assert_complete(answer)
        _assert_consistent(answer, year=BILANS[title])


def _assert_consistent(answer: Submission, *, year: int) -> None:
    data, territory, campaign = answer.data, answer.territory, answer.campaign
    met = data["nb_menages_rencontres"]
    assert 60 <= met <= 200
    assert data["nb_diagnostics"] <= met
    assert data["nb_dsf"] <= data["nb_diagnostics"]
    assert data["nb_impayes_resorbes"] <= data["nb_menages_accompagnes"] <= met
    stages = [key for key in data if key.startswith("nb_menages_stade_")]
    assert sum(data[key] for key in stages) == met
    assert 500 <= data["nb_assignations_n"] <= 3000
    assert abs(data["nb_assignations_n1"] - data["nb_assignations_n"]) <= (
        0.15 * data["nb_assignations_n"]
    )
    assert Decimal(data["etp_finances"]) == territory.etp
    assert Decimal(data["etp_pourvus"]) <= Decimal(data["etp_finances"])
    assert Decimal(data["credits_consommes"]) <= territory.budget_2021 / 2
    assert data["annee"] == year
    assert data["periode_debut"] == campaign.period_start.isoformat()
    assert data["periode_fin"] == campaign.period_end.isoformat()
    assert 1 <= len(data["operateurs"]) <= 3


def test_2022_figures_are_a_little_higher_and_some_are_drafts(demo_data_once, db):
    by_year = {year: _answers(title) for title, year in BILANS.items()}
    assert any(answer.status == DRAFT for answer in by_year[2022])
    met = {
        year: {a.territory_id: a.data["nb_menages_rencontres"] for a in answers if a.data}
        for year, answers in by_year.items()
    }
    common = met[2021].keys() & met[2022].keys()
    assert common
    assert all(met[2022][pk] >= met[2021][pk] for pk in common)


def _files_for(answer: Submission) -> dict[str, SimpleUploadedFile]:
    files = {}
    for stored in SubmissionFile.objects.filter(submission=answer):
        with stored.file.open("rb") as handle:
            files[stored.key] = SimpleUploadedFile(stored.original_name, handle.read())
    return files


def test_stored_answers_pass_the_form_again(demo_data_once, db):
    for answer in Submission.objects.exclude(status=DRAFT).select_related("form_version"):
        form = answer_form(
            schema=answer.form_version.schema,
            data=MultiValueDict(answer.draft_input),
            files=_files_for(answer),
        )
        assert form.is_valid(), (answer, form.errors_by_key())
        files = {stored.key: stored.as_reference() for stored in answer.files.all()}
        assert {**form.cleaned_json(), **files} == answer.data  # files are referenced by id


def _history(answer: Submission) -> list[tuple[str, str]]:
    return [(t.from_status, t.to_status) for t in answer.transitions.order_by("at", "pk")]


def test_every_transmitted_answer_has_its_history(demo_data_once, db):
    for answer in Submission.objects.exclude(status=DRAFT):
        history = _history(answer)
        assert history, answer
        assert history[0] == (DRAFT, SubmissionStatus.SUBMITTED)
        assert history[-1][1] == answer.status
        submits = answer.transitions.filter(to_status=SubmissionStatus.SUBMITTED)
        assert answer.submitted_at == submits.order_by("at").last().at
    returns = SubmissionTransition.objects.filter(to_status=SubmissionStatus.RETURNED)
    assert returns.exists()
    assert all(transition.comment.strip() for transition in returns)
    assert not SubmissionTransition.objects.filter(submission__status=DRAFT).exists()


def test_a_second_load_creates_nothing(demo_data_once, db):
    counts = _row_counts()
    assert demo_answers_load() == 0
    assert _row_counts() == counts


def _row_counts() -> dict[str, Any]:
    return {
        "answers": Submission.objects.count(),
        "transitions": SubmissionTransition.objects.count(),
        "files": SubmissionFile.objects.count(),
    }
