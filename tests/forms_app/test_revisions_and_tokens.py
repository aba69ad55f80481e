"""Every record edited through a page has a revision (issue 12, point 3), and one click makes
one record (point 5), through HTTP: two tabs on one case file, the same page posted twice."""

import datetime
import re
import uuid

import pytest
from django.utils import timezone
from wagtailstreamforms.models import Form

from forms_app.households import services as households
from forms_app.households.views import HOUSEHOLD_STALE_MESSAGE
from forms_app.models import Campaign, ContactAttempt, Household, Submission
from forms_app.revisions import stale_message
from forms_app.views import STALE_MESSAGE
from portal.models import Organisation
from tests.signing import signed_in

OPERATOR = "operateur38a@demo.test"
OTHER_OPERATOR = "operateur38b@demo.test"
TODAY = timezone.localdate()
CASE_FILE = {
    "_fin": "1",  # the forms' closing marker (a body cut short is refused)
    "nom": "Ombrevallier",
    "prenom": "Léa",
    "adresse_logement": "3 place Grenette, 38000 Grenoble",
    "telephone": "06 11 22 33 44",
    "email": "",
    "source": "ccapex",
    "referred_on": (TODAY - datetime.timedelta(days=10)).isoformat(),
    "stage": "cdp",
    "known_to_social_services": "",
}
CONTACT = {
    "date": TODAY.isoformat(),
    "mode": "telephone",
    "result": "sans_reponse",
    "note": "",
    "_fin": "1",  # the forms' closing marker (a body cut short is refused)
}


@pytest.fixture
def operator(login, portal_content):
    return login(OPERATOR)


@pytest.fixture
def household(operator):
    return households.household_create(
        operator=Organisation.objects.get(memberships__user__email=OPERATOR),
        user=None,
        fields={
            "nom": "Ombrevallier",
            "prenom": "Léa",
            "source": "ccapex",
            "referred_on": TODAY - datetime.timedelta(days=10),
            "stage": "cdp",
        },
    )


def _page_revision(response) -> int:
    return int(re.search(r'name="revision" value="(\d+)"', response.content.decode()).group(1))


def _page_token(response) -> str:
    return re.search(r'name="creation_token" value="([0-9a-f-]+)"', response.content.decode())[1]


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Point 3: a stale save is refused, the person's input kept -------------------------------


def test_the_conflict_message_is_the_answers_one():
    assert stale_message("Cette réponse a été modifiée") == STALE_MESSAGE
    assert stale_message("Ce dossier a été modifié") == HOUSEHOLD_STALE_MESSAGE
    assert HOUSEHOLD_STALE_MESSAGE.endswith(
        STALE_MESSAGE.removeprefix("Cette réponse a été modifiée")
    )


def test_a_stale_case_file_save_is_refused_and_keeps_what_was_typed(operator, household):
    url = f"/menages/{household.pk}/modifier/"
    first_tab, second_tab = operator.get(url), operator.get(url)
    revision = _page_revision(first_tab)
    assert _page_revision(second_tab) == revision == household.revision

    saved = operator.post(url, {**CASE_FILE, "telephone": "06 99 88 77 66", "revision": revision})
    assert saved.status_code == 302
    stale = operator.post(url, {**CASE_FILE, "nom": "Ombrevallier-Sarrat", "revision": revision})

    assert stale.status_code == 409
    assert _messages(stale)[-1] == HOUSEHOLD_STALE_MESSAGE
    page = stale.content.decode()
    assert 'value="Ombrevallier-Sarrat"' in page  # the second tab's input, shown back
    assert "Téléphone : « 06 99 88 77 66 »" in page  # what was saved meanwhile
    assert _page_revision(stale) == revision  # clicking again stays refused
    household.refresh_from_db()
    assert household.telephone == "06 99 88 77 66"  # the first tab's save is kept
    assert household.nom == "Ombrevallier"
    assert household.revision == revision + 1
    again = operator.post(url, {**CASE_FILE, "nom": "Ombrevallier-Sarrat", "revision": revision})
    assert again.status_code == 409


def test_a_save_without_revision_counts_as_stale(operator, household):
    response = operator.post(f"/menages/{household.pk}/modifier/", {**CASE_FILE, "nom": "X"})
    assert response.status_code == 409
    household.refresh_from_db()
    assert household.nom == "Ombrevallier"


def test_a_stale_status_choice_is_refused_and_shown_back(operator, household):
    detail = operator.get(f"/menages/{household.pk}/")
    revision = _page_revision(detail)
    url = f"/menages/{household.pk}/statut/"
    assert operator.post(url, {"status": "clos", "revision": revision}).status_code == 302

    stale = operator.post(url, {"status": "accompagne", "revision": revision})

    assert stale.status_code == 409
    assert _messages(stale)[-1] == HOUSEHOLD_STALE_MESSAGE
    assert stale.context["status_form"]["status"].value() == "accompagne"
    assert '<option value="accompagne" selected>' in stale.content.decode()
    assert "Statut enregistré entre-temps : <strong>Clos</strong>" in stale.content.decode()
    household.refresh_from_db()
    assert household.status == "clos"
    assert household.closed_at is not None


def test_an_automatic_status_move_makes_an_open_status_choice_stale(operator, household):
    """The page said « À contacter »; a colleague reached the household meanwhile: choosing
    « Contacté »… from the old page must not take back « Rencontré »."""
    revision = _page_revision(operator.get(f"/menages/{household.pk}/"))
    met = {**CONTACT, "result": "rencontre", "creation_token": str(uuid.uuid4())}
    assert operator.post(f"/menages/{household.pk}/contacts/", met).status_code == 302
    household.refresh_from_db()
    assert household.status == "rencontre"

    stale = operator.post(
        f"/menages/{household.pk}/statut/", {"status": "contacte", "revision": revision}
    )
    assert stale.status_code == 409
    household.refresh_from_db()
    assert household.status == "rencontre"


def test_a_contact_added_from_a_stale_page_is_not_lost(operator, household):
    detail = operator.get(f"/menages/{household.pk}/")
    token = _page_token(detail)
    edit_url = f"/menages/{household.pk}/modifier/"
    revision = _page_revision(operator.get(edit_url))
    assert operator.post(edit_url, {**CASE_FILE, "revision": revision}).status_code == 302

    response = operator.post(
        f"/menages/{household.pk}/contacts/", {**CONTACT, "creation_token": token}
    )
    assert response.status_code == 302
    assert household.contact_attempts.count() == 1


# --- Point 5: one click, one record ----------------------------------------------------------


def test_the_new_household_page_posted_twice_makes_one_household(operator):
    token = _page_token(operator.get("/menages/nouveau/"))
    before = Household.objects.count()

    first = operator.post("/menages/nouveau/", {**CASE_FILE, "creation_token": token})
    second = operator.post("/menages/nouveau/", {**CASE_FILE, "creation_token": token})

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Household.objects.count() == before + 1
    household = Household.objects.get(creation_token=token)
    assert first["Location"] == f"/menages/{household.pk}/"


def test_an_invalid_new_household_comes_back_with_the_same_token(operator):
    token = _page_token(operator.get("/menages/nouveau/"))
    refused = operator.post("/menages/nouveau/", {**CASE_FILE, "nom": "", "creation_token": token})
    assert refused.status_code == 200
    assert _page_token(refused) == token


def test_pages_without_a_token_create_as_before(operator):
    before = Household.objects.count()
    for _ in range(2):
        assert operator.post("/menages/nouveau/", CASE_FILE).status_code == 302
    assert Household.objects.count() == before + 2
    assert _page_token(operator.get("/menages/nouveau/")) != _page_token(
        operator.get("/menages/nouveau/")
    )


def test_a_token_of_another_operator_never_leads_to_its_household(operator, client, household):
    """The token of a household of operator A, posted by operator B, is a fresh request."""
    Household.objects.filter(pk=household.pk).update(creation_token=uuid.UUID(int=7))
    other = signed_in(OTHER_OPERATOR)
    response = other.post(
        "/menages/nouveau/", {**CASE_FILE, "creation_token": str(uuid.UUID(int=7))}
    )

    assert response.status_code == 302
    assert response["Location"] != f"/menages/{household.pk}/"
    created = Household.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    assert created.operator.memberships.filter(user__email=OTHER_OPERATOR).exists()
    assert created.creation_token is None


def test_a_contact_form_posted_twice_records_one_attempt(operator, household):
    token = _page_token(operator.get(f"/menages/{household.pk}/"))
    for _ in range(3):
        response = operator.post(
            f"/menages/{household.pk}/contacts/", {**CONTACT, "creation_token": token}
        )
        assert response.status_code == 302
    assert ContactAttempt.objects.filter(household=household).count() == 1


def test_a_contact_token_of_another_household_is_a_fresh_request(operator, household):
    token = str(uuid.uuid4())
    other = households.household_create(
        operator=household.operator,
        user=None,
        fields={
            **{key: value for key, value in CASE_FILE.items() if key != "_fin"},
            "referred_on": TODAY,
            "known_to_social_services": None,
        },
    )
    url = f"/menages/{household.pk}/contacts/"
    assert operator.post(url, {**CONTACT, "creation_token": token}).status_code == 302
    response = operator.post(f"/menages/{other.pk}/contacts/", {**CONTACT, "creation_token": token})
    assert response["Location"] == f"/menages/{other.pk}/"
    assert household.contact_attempts.count() == 1
    assert other.contact_attempts.count() == 1


def test_an_invalid_contact_comes_back_with_its_token(operator, household):
    token = str(uuid.uuid4())
    refused = operator.post(
        f"/menages/{household.pk}/contacts/", {**CONTACT, "mode": "", "creation_token": token}
    )
    assert refused.status_code == 400
    assert f'name="creation_token" value="{token}"' in refused.content.decode()


def test_the_new_follow_up_button_clicked_twice_opens_one_follow_up(operator, household):
    veille = Form.objects.get(slug="veille-sociale-post-intervention")
    url = f"/menages/{household.pk}/documents/{veille.pk}/"
    token = str(uuid.uuid4())
    first = operator.post(url, {"creation_token": token})
    document = Submission.objects.get(household=household)
    assert first["Location"] == f"/reponses/{document.pk}/modifier/"
    # Filed meanwhile (another tab): the same click again still leads to it…
    Submission.objects.filter(pk=document.pk).update(status="soumise")
    again = operator.post(url, {"creation_token": token})
    assert again["Location"] == f"/reponses/{document.pk}/modifier/"
    assert Submission.objects.filter(household=household).count() == 1
    # …while a new click (a new page, a new token) starts the next follow-up.
    operator.post(url, {"creation_token": str(uuid.uuid4())})
    assert Submission.objects.filter(household=household).count() == 2


def test_the_household_pages_carry_tokens_and_revisions(operator, household):
    page = operator.get(f"/menages/{household.pk}/").content.decode()
    tokens = re.findall(r'name="creation_token" value="([0-9a-f-]+)"', page)
    assert len(tokens) == len(set(tokens)) >= 2  # the contact form and each document button
    assert f'name="revision" value="{household.revision}"' in page


def test_the_start_button_posted_twice_opens_one_answer(login, demo_accounts):
    client = login("prefecture38@demo.test")
    page = client.get("/mon-espace/")
    token = _page_token(page)
    action = re.search(r'action="(/campagnes/\d+/repondre/\d+/)"', page.content.decode())[1]
    first = client.post(action, {"creation_token": token})
    second = client.post(action, {"creation_token": token})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    campaign_id, organisation_id = map(int, re.findall(r"\d+", action))
    assert (
        Submission.objects.filter(
            campaign=Campaign.objects.get(pk=campaign_id), organisation_id=organisation_id
        ).count()
        == 1
    )
    assert Submission.objects.filter(creation_token=token).count() == 1
