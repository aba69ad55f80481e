"""Two people, one answer: with real concurrent connections, on both databases."""

import pytest

from forms_app import lifecycle
from forms_app.models import Campaign, Submission, SubmissionTransition
from portal.models import Organisation
from tests.concurrency import at_once

# Real concurrent connections, on PostgreSQL (CI's second run) and on the SQLite file of
# the embedded default (WAL, immediate transactions: see portal/settings/base.py).
# serialized_rollback restores what migrations created (Wagtail's root page) after flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _fresh_campaign(title: str) -> Campaign:
    model = Campaign.objects.get(title=title)
    return Campaign.objects.create(
        form=model.form, title=f"{title} (test)", opens_on=model.opens_on, due_on=model.due_on
    )


@pytest.fixture
def draft(portal_content):
    campaign = _fresh_campaign("Bilan d'étape 2021")
    isere = Organisation.objects.get(kind="prefecture", territory__code="38")
    return lifecycle.submission_start(campaign=campaign, organisation=isere, user=None)


def test_a_stale_save_is_refused_and_nothing_is_overwritten(draft):
    revision = draft.revision

    def save(text):
        return lambda: lifecycle.submission_save_draft(
            submission=Submission.objects.get(pk=draft.pk),
            user=None,
            draft_input={"commentaire_difficultes": [text]},
            expected_revision=revision,
        )

    results, errors = at_once([save("version de Julien"), save("version de Nadia")])
    assert len(results) == 1
    assert [type(error) for error in errors] == [lifecycle.StaleSubmission]
    draft.refresh_from_db()
    assert draft.revision == revision + 1
    assert draft.draft_input == results[0].draft_input


def test_a_double_submit_makes_one_transition(draft):
    revision = draft.revision

    def submit():
        return lifecycle.submission_submit(
            submission=Submission.objects.get(pk=draft.pk),
            user=None,
            data={"annee": 2021},
            draft_input={},
            expected_revision=revision,
        )

    results, errors = at_once([submit, submit])
    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], (lifecycle.NotEditable, lifecycle.StaleSubmission))
    assert SubmissionTransition.objects.filter(submission=draft).count() == 1
    assert Submission.objects.get(pk=draft.pk).status == "soumise"


def test_two_starts_make_one_answer(portal_content):
    campaign = _fresh_campaign("Lettre de préfiguration")
    gard = Organisation.objects.get(kind="prefecture", territory__code="30")

    def start():
        return lifecycle.submission_start(campaign=campaign, organisation=gard, user=None)

    results, errors = at_once([start, start, start])
    assert errors == []
    assert len({submission.pk for submission in results}) == 1
    assert Submission.objects.filter(campaign=campaign, organisation=gard).count() == 1
