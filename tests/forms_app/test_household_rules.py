"""The rules around a household's file that a reviewer found soft: who may follow it, what
prefills what, what reopening a closing follow-up does, and that its pages are not cached."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from wagtailstreamforms.models import Form

from forms_app import lifecycle
from forms_app.households import services as households
from forms_app.households.forms import HouseholdForm
from forms_app.models import Campaign, Household
from portal import permissions
from portal.models import Membership, Organisation, Role, User

D = datetime.date


def _form(slug: str) -> Form:
    return Form.objects.get(slug=slug)


def _household(operator: Organisation, **fields) -> Household:
    values = {
        "nom": "Ombrevallier",
        "source": "ccapex",
        "referred_on": D(2021, 2, 1),
        "stage": "cdp",
    }
    return households.household_create(operator=operator, user=None, fields={**values, **fields})


def _file(household: Household, slug: str, data: dict):
    document = households.household_document_open(household=household, form=_form(slug), user=None)
    return lifecycle.submission_submit(
        submission=document,
        user=None,
        data=data,
        draft_input={},
        expected_revision=document.revision,
    )


@pytest.fixture
def operator(demo_accounts) -> Organisation:
    return Organisation.objects.get(memberships__user__email="operateur38a@demo.test")


def test_a_dihal_member_made_member_of_an_operator_still_sees_no_household(operator, login):
    household = _household(operator)
    dihal = User.objects.get(email="dihal@demo.test")
    # Written past the model's check, as a raw row would be.
    Membership.objects.create(user=dihal, organisation=operator, role=Role.AGENT)
    assert not permissions.can_open_household(dihal, household)
    assert login("dihal@demo.test").get(f"/menages/{household.pk}/").status_code in (403, 404)


def test_a_membership_cannot_join_the_dihal_and_an_operator(operator):
    dihal = User.objects.get(email="dihal@demo.test")
    membership = Membership(user=dihal, organisation=operator, role=Role.AGENT)
    with pytest.raises(ValidationError) as refused:
        membership.full_clean()
    assert "organisation" in refused.value.message_dict


def test_a_household_form_cannot_be_opened_as_a_campaign(portal_content):
    campaign = Campaign(
        form=_form("diagnostic-social-et-financier"),
        title="Diagnostics 2021",
        opens_on=D(2021, 1, 1),
        due_on=D(2021, 6, 30),
    )
    with pytest.raises(ValidationError) as refused:
        campaign.full_clean()
    assert "form" in refused.value.message_dict


def test_the_contract_takes_the_diagnostic_over_the_case_file(operator):
    household = _household(operator, stage="cdp", nom="Ombrevalier")
    _file(
        household, "diagnostic-social-et-financier", {"stade": "assignation", "nom": "Ombrevallier"}
    )
    contract = households.household_document_open(
        household=household, form=_form("contrat-d-engagement"), user=None
    )
    assert contract.draft_input["stade"] == ["assignation"]
    assert contract.draft_input["nom"] == ["Ombrevallier"]


def test_a_second_follow_up_starts_from_the_first_one(operator):
    household = _household(operator)
    _file(
        household,
        "contrat-d-engagement",
        {"date_signature": "2021-03-01", "engagements": [{"demarche": "fsl", "statut": "a_faire"}]},
    )
    _file(
        household,
        "veille-sociale-post-intervention",
        {
            "date_dernier_echange": "2021-03-01",
            "engagements": [{"demarche": "fsl", "statut": "realisee"}],
            "issue": "poursuite",
        },
    )
    second = households.household_document_open(
        household=household, form=_form("veille-sociale-post-intervention"), user=None
    )
    assert second.draft_input["engagements-0-statut"] == ["realisee"]


def test_reopening_a_closing_follow_up_reopens_the_case(operator):
    household = _household(operator)
    _file(household, "contrat-d-engagement", {"date_signature": "2021-03-01"})
    veille = _file(
        household,
        "veille-sociale-post-intervention",
        {"date_dernier_echange": "2021-03-01", "issue": "cloture"},
    )
    household.refresh_from_db()
    assert household.status == "clos" and household.veille_due_on is None
    lifecycle.submission_reopen(submission=veille, user=None, expected_revision=veille.revision)
    household.refresh_from_db()
    assert household.status == "accompagne"
    assert household.veille_due_on == D(2021, 3, 16)


def test_a_stale_page_does_not_take_the_status_back(operator):
    household = _household(operator)
    stale = Household.objects.get(pk=household.pk)  # loaded while « à contacter »
    _file(household, "contrat-d-engagement", {"date_signature": "2021-03-01"})
    households.contact_attempt_add(
        household=stale, user=None, date=D(2021, 3, 5), mode="telephone", result="echange"
    )
    household.refresh_from_db()
    assert household.status == "accompagne"


def test_household_pages_are_never_cached(operator, login):
    household = _household(operator)
    client = login("operateur38a@demo.test")
    for url in ("/menages/", f"/menages/{household.pk}/", "/menages/veilles/"):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_a_stale_refill_keeps_what_was_typed_on_the_page(operator, login):
    household = _household(operator)
    client = login("operateur38a@demo.test")
    contract = households.household_document_open(
        household=household, form=_form("contrat-d-engagement"), user=None
    )
    response = client.post(
        f"/reponses/{contract.pk}/modifier/",
        {
            "referent": "Typé mais pas encore enregistré",
            "action": "refill",
            "_fin": "1",
            "revision": contract.revision - 1,
        },
    )
    assert response.status_code == 409
    assert "Typé mais pas encore enregistré" in response.content.decode()


@pytest.mark.parametrize(
    "phone, valid",
    [
        ("06 12 34 56 78", True),
        ("06-12-34-56-78", True),
        ("+262 692 12 34 56", True),
        ("+33 6 12 34 56 78", True),
        ("0612", False),
        ("téléphone", False),
    ],
)
def test_phone_numbers_of_every_territory(phone, valid):
    form = HouseholdForm(
        data={
            "nom": "Ombrevallier",
            "source": "ccapex",
            "referred_on": "2021-02-01",
            "stage": "cdp",
            "telephone": phone,
        }
    )
    assert form.is_valid() is valid, form.errors
