"""Ten people (or ten clicks) at the same moment, through HTTP, on SQLite (what `make run`
uses) and on PostgreSQL alike: one transition, nine clear French answers, no server error."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from forms_app import lifecycle
from forms_app.models import Campaign, Submission, SubmissionTransition
from portal.models import Organisation
from tests.concurrency import at_once
from tests.forms_app.builders import valid_input
from tests.signing import signed_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CLICKS = 10


def _as_draft_input(post: dict) -> dict[str, list[str]]:
    return {key: value if isinstance(value, list) else [value] for key, value in post.items()}


@pytest.fixture
def ready_answer(demo_accounts):
    """A lettre de préfiguration of Isère, answered in full, not yet transmitted."""
    model = Campaign.objects.get(title="Lettre de préfiguration")
    campaign = Campaign.objects.create(
        form=model.form, title="Lettre (dix clics)", opens_on=model.opens_on, due_on=model.due_on
    )
    isere = Organisation.objects.get(kind="prefecture", territory__code="38")
    submission = lifecycle.submission_start(campaign=campaign, organisation=isere, user=None)
    signed = SimpleUploadedFile("lettre.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    return lifecycle.submission_keep_input(
        submission=submission,
        user=None,
        draft_input=_as_draft_input(valid_input(submission.form_version.schema)),
        uploads={"lettre_signee_pdf": signed},
        expected_revision=submission.revision,
    )


def _messages(response) -> list[str]:
    said = [str(message) for message in get_messages(response.wsgi_request)]
    return [text for text in said if not text.startswith("Connexion avec")]


def test_ten_simultaneous_transmits_make_one_transition_and_nine_french_answers(ready_answer):
    clients = [signed_in("prefecture38@demo.test") for _ in range(CLICKS)]
    url = f"/reponses/{ready_answer.pk}/modifier/"
    post = {"action": "submit", "revision": str(ready_answer.revision), "_fin": "1"}

    results, errors = at_once([lambda client=client: client.post(url, post) for client in clients])

    assert errors == []
    assert sorted(response.status_code for response in results) == [302] * CLICKS
    said = [" ".join(_messages(response)) for response in results]
    assert sum("Réponse transmise" in text for text in said) == 1, said
    others = [text for text in said if "Réponse transmise" not in text]
    assert len(others) == CLICKS - 1
    assert all("déjà été transmise" in text or "modifiée entre-temps" in text for text in others), (
        others
    )
    assert SubmissionTransition.objects.filter(submission=ready_answer).count() == 1
    assert Submission.objects.get(pk=ready_answer.pk).status == "soumise"


def test_ten_simultaneous_draft_saves_keep_one_and_refuse_nine_in_french(ready_answer):
    clients = [signed_in("prefecture38@demo.test") for _ in range(CLICKS)]
    url = f"/reponses/{ready_answer.pk}/modifier/"
    schema = ready_answer.form_version.schema

    def save(client: Client, number: int):
        post = valid_input(schema, q1_description=f"version {number}")
        return client.post(
            url, {**post, "action": "draft", "revision": ready_answer.revision, "_fin": "1"}
        )

    results, errors = at_once(
        [lambda c=client, n=number: save(c, n) for number, client in enumerate(clients)]
    )

    assert errors == []
    codes = sorted(response.status_code for response in results)
    assert codes == [302] + [409] * (CLICKS - 1), codes
    refused = [r for r in results if r.status_code == 409]
    assert all("modifiée entre-temps" in r.content.decode() for r in refused)
    saved = Submission.objects.get(pk=ready_answer.pk)
    assert saved.revision == ready_answer.revision + 1
    assert saved.draft_input["q1_description"][0].startswith("version ")
