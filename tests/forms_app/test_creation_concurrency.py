"""One click, one record, and one revision, one winner: the same page posted ten times at
the same moment, by real concurrent connections and HTTP clients (issue 12, points 3 and 5)."""

import datetime
import re
import uuid
from collections import Counter

import pytest
from django.utils import timezone
from wagtailstreamforms.models import Form

from forms_app.households import services as households
from forms_app.models import Campaign, ContactAttempt, Household, Submission
from forms_app.selectors import today
from portal.models import Organisation
from tests.concurrency import at_once
from tests.signing import signed_in

# Real concurrent connections, on PostgreSQL (CI's second run) and on the SQLite file of
# the embedded default (WAL, immediate transactions: see portal/settings/base.py).
# serialized_rollback restores what migrations created (Wagtail's root page) after flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OPERATOR = "operateur38a@demo.test"
TIMES = 10
TODAY = timezone.localdate()
CASE_FILE = {
    "_fin": "1",  # the forms' closing marker (a body cut short is refused)
    "nom": "Ombrevallier",
    "prenom": "Léa",
    "adresse_logement": "",
    "telephone": "",
    "email": "",
    "source": "ccapex",
    "referred_on": (TODAY - datetime.timedelta(days=10)).isoformat(),
    "stage": "cdp",
    "known_to_social_services": "",
}
CONTACT = {
    "date": TODAY.isoformat(),
    "mode": "telephone",
    "result": "echange",
    "note": "",
    "_fin": "1",  # the forms' closing marker (a body cut short is refused)
}


@pytest.fixture
def tabs(demo_accounts):
    """Ten signed-in clients of one operator person: ten tabs, ten connections."""
    return [signed_in(OPERATOR) for _ in range(TIMES)]


@pytest.fixture
def household(demo_accounts):
    return households.household_create(
        operator=Organisation.objects.get(memberships__user__email=OPERATOR),
        user=None,
        fields={
            "nom": "Ombrevallier",
            "source": "ccapex",
            "referred_on": TODAY - datetime.timedelta(days=10),
            "stage": "cdp",
        },
    )


def _statuses(responses) -> Counter:
    return Counter(response.status_code for response in responses)


def test_ten_simultaneous_new_household_posts_with_one_token_make_one_household(tabs):
    token = str(uuid.uuid4())
    before = Household.objects.count()

    responses, errors = at_once(
        [
            lambda tab=tab: tab.post("/menages/nouveau/", {**CASE_FILE, "creation_token": token})
            for tab in tabs
        ]
    )

    assert errors == []
    household = Household.objects.get(creation_token=token)
    assert Household.objects.count() == before + 1
    assert _statuses(responses) == {302: TIMES}
    assert {response["Location"] for response in responses} == {f"/menages/{household.pk}/"}


def test_ten_simultaneous_contacts_with_one_token_make_one_attempt(tabs, household):
    token = str(uuid.uuid4())
    url = f"/menages/{household.pk}/contacts/"

    responses, errors = at_once(
        [lambda tab=tab: tab.post(url, {**CONTACT, "creation_token": token}) for tab in tabs]
    )

    assert errors == []
    assert _statuses(responses) == {302: TIMES}
    assert ContactAttempt.objects.filter(household=household).count() == 1
    household.refresh_from_db()
    assert household.status == "contacte"
    assert household.revision == 2  # one automatic move, made once


def test_ten_simultaneous_saves_of_one_revision_let_exactly_one_win(tabs, household):
    url = f"/menages/{household.pk}/modifier/"
    revision = household.revision
    phones = [f"06 00 00 00 {index:02d}" for index in range(TIMES)]

    responses, errors = at_once(
        [
            lambda tab=tab, phone=phone: tab.post(
                url, {**CASE_FILE, "telephone": phone, "revision": revision}
            )
            for tab, phone in zip(tabs, phones, strict=True)
        ]
    )

    assert errors == []
    assert _statuses(responses) == {302: 1, 409: TIMES - 1}
    household.refresh_from_db()
    assert household.revision == revision + 1
    assert household.telephone in phones


def test_ten_simultaneous_status_choices_of_one_revision_let_exactly_one_win(tabs, household):
    url = f"/menages/{household.pk}/statut/"
    revision = household.revision
    choices = ["clos", "accompagne"] * (TIMES // 2)

    responses, errors = at_once(
        [
            lambda tab=tab, status=status: tab.post(url, {"status": status, "revision": revision})
            for tab, status in zip(tabs, choices, strict=True)
        ]
    )

    assert errors == []
    assert _statuses(responses) == {302: 1, 409: TIMES - 1}
    household.refresh_from_db()
    assert household.revision == revision + 1
    assert household.status in choices


def test_ten_simultaneous_new_follow_up_clicks_with_one_token_open_one(tabs, household):
    veille = Form.objects.get(slug="veille-sociale-post-intervention")
    url = f"/menages/{household.pk}/documents/{veille.pk}/"
    token = str(uuid.uuid4())

    responses, errors = at_once(
        [lambda tab=tab: tab.post(url, {"creation_token": token}) for tab in tabs]
    )

    assert errors == []
    document = Submission.objects.get(household=household)
    assert _statuses(responses) == {302: TIMES}
    assert {response["Location"] for response in responses} == {
        f"/reponses/{document.pk}/modifier/"
    }


def test_ten_simultaneous_starts_with_one_token_open_one_answer(demo_accounts):
    client = signed_in("prefecture38@demo.test")
    page = client.get("/mon-espace/").content.decode()
    action = re.search(r'action="(/campagnes/(\d+)/repondre/(\d+)/)"', page)
    assert action, "an open campaign to start"
    clients = [client] + [signed_in("prefecture38@demo.test") for _ in range(TIMES - 1)]
    token = str(uuid.uuid4())

    responses, errors = at_once(
        [lambda c=c: c.post(action[1], {"creation_token": token}) for c in clients]
    )

    assert errors == []
    assert _statuses(responses) == {302: TIMES}
    campaign = Campaign.objects.get(pk=int(action[2]))
    assert campaign.opens_on <= today()
    assert Submission.objects.filter(campaign=campaign, organisation_id=int(action[3])).count() == 1
    assert len({response["Location"] for response in responses}) == 1
