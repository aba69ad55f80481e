"""The fill page's own bookkeeping — a group's row counts, its hidden template row, keys the
form does not know — neither blocks an answer nor replaces a saved draft (found from
outside: a contract opened on a household with nothing to prefill could never be finalised;
an autosave carrying only row counts emptied a bilan)."""

import datetime
import re
from html import unescape

import pytest
from django.utils import timezone
from wagtailstreamforms.models import Form

from forms_app.households import services as households
from forms_app.models import Submission
from portal.models import Organisation
from tests.forms_app.builders import valid_input
from tests.forms_app.test_truncated_bodies import END, bilan  # noqa: F401 - the fixture

OPERATOR = "operateur38a@demo.test"
TODAY = timezone.localdate()


@pytest.fixture
def bare_contract(demo_accounts):
    """A contract opened on a household that has no earlier document: nothing to prefill."""
    operator = Organisation.objects.get(memberships__user__email=OPERATOR)
    household = households.household_create(
        operator=operator,
        user=None,
        fields={
            "nom": "Ombrevallier",
            "source": "ccapex",
            "referred_on": TODAY - datetime.timedelta(days=5),
            "stage": "cdp",
        },
    )
    form = Form.objects.get(slug="contrat-d-engagement")
    return households.household_document_open(household=household, form=form, user=None)


def _hidden_inputs(html: str) -> dict[str, str]:
    inputs = {}
    for tag in re.findall(r'<input type="hidden"[^>]*>', html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            inputs[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    return inputs


def test_a_contract_with_nothing_prefilled_can_be_checked_as_the_page_sends_it(
    bare_contract, login
):
    client = login(OPERATOR)
    page = client.get(f"/reponses/{bare_contract.pk}/modifier/").content.decode()
    hidden = _hidden_inputs(page)
    counts = {key: value for key, value in hidden.items() if key.endswith("_FORMS")}
    assert counts, "the page carries its groups' row counts"
    answers = valid_input(bare_contract.form_version.schema)
    sent = {
        **{key: value for key, value in answers.items() if not key.endswith("_FORMS")},
        **counts,  # the row counts exactly as the page rendered them
        "revision": hidden["revision"],
        "action": "review",
        **END,
    }
    response = client.post(f"/reponses/{bare_contract.pk}/modifier/", sent)
    html = response.content.decode()
    assert response.status_code == 200
    assert "ManagementForm" not in html and "INITIAL_FORMS" not in html
    assert "Certaines réponses sont à corriger" not in html, html[:3000]


@pytest.mark.parametrize(
    "body",
    [
        {"\x00": "x"},  # a key that is nothing once cleaned
        {"operateurs-TOTAL_FORMS": "3", "operateurs-INITIAL_FORMS": "0"},
        {"operateurs-__prefix__-nom": ""},  # the hidden template row
        {"inconnue": "x"},  # a key the form does not know
    ],
    ids=["nul-key", "row-counts", "template-row", "unknown-key"],
)
def test_a_body_without_any_answer_never_replaces_a_draft(client, bilan, body):  # noqa: F811
    submission, _ = bilan
    before = dict(submission.draft_input)
    for url in (f"/reponses/{submission.pk}/brouillon/", f"/reponses/{submission.pk}/modifier/"):
        response = client.post(url, {**body, "revision": submission.revision, **END})
        assert response.status_code == 400
        assert "incomplet" in response.content.decode() or "pas abouti" in (
            response.content.decode()
        )
        assert Submission.objects.get(pk=submission.pk).draft_input == before


def test_one_answer_field_is_enough_to_save(client, bilan):  # noqa: F811
    submission, _ = bilan
    response = client.post(
        f"/reponses/{submission.pk}/brouillon/",
        {"commentaire_difficultes": "Nouveau texte", "revision": submission.revision, **END},
    )
    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.draft_input == {"commentaire_difficultes": ["Nouveau texte"]}
