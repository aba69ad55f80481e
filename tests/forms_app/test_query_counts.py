"""List pages make the same number of SQL queries with 5 and with 50 rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtailstreamforms.models import Form

from forms_app.lifecycle import submission_start
from forms_app.models import Campaign
from portal.models import Organisation, OrganisationKind, Territory
from portal.services import organisation_create


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _operators(count: int) -> list[Organisation]:
    """``count`` operators across the territories (at most 3 each)."""
    operators = list(Organisation.objects.filter(kind=OrganisationKind.OPERATEUR))
    territories = list(Territory.objects.order_by("code"))
    index = 0
    while len(operators) < count:
        territory = territories[index % len(territories)]
        if territory.organisations.filter(kind=OrganisationKind.OPERATEUR).count() < 3:
            operators.append(
                organisation_create(
                    name=f"Opérateur test {index}",
                    kind=OrganisationKind.OPERATEUR,
                    territory=territory,
                )
            )
        index += 1
    return operators[:count]


def _campaign_for(operators: list[Organisation], *, title: str) -> Campaign:
    campaign = Campaign.objects.create(
        form=Form.objects.get(slug="bilan-d-etape"),
        title=title,
        opens_on=datetime.date(2021, 6, 1),
        due_on=datetime.date(2021, 7, 7),
    )
    campaign.expected.set(operators)
    for organisation in operators:
        submission_start(campaign=campaign, organisation=organisation, user=None)
    return campaign


@pytest.fixture
def dihal(client, login):
    return login("dihal@demo.test")


def test_campaign_answers_page_is_flat(dihal):
    operators = _operators(50)
    small = _campaign_for(operators[:5], title="Petite campagne")
    large = _campaign_for(operators, title="Grande campagne")
    assert _queries(dihal, f"/suivi/campagnes/{small.pk}/") == _queries(
        dihal, f"/suivi/campagnes/{large.pk}/"
    )
    assert (
        dihal.get(f"/suivi/campagnes/{large.pk}/").content.decode().count("data-organisation=")
        == 50
    )


def test_campaign_list_is_flat(dihal):
    operators = _operators(3)
    for index in range(2):
        _campaign_for(operators, title=f"Campagne {index}")
    few = _queries(dihal, "/suivi/campagnes/")
    for index in range(2, 50):
        _campaign_for(operators, title=f"Campagne {index}")
    assert _queries(dihal, "/suivi/campagnes/") == few
    assert dihal.get("/suivi/campagnes/").content.decode().count("data-campaign=") >= 50


def test_mon_espace_is_flat(client, login, django_assert_num_queries):
    user_client = login("prefecture38@demo.test")
    isere = Organisation.objects.get(kind="prefecture", territory__code="38")
    for index in range(5):
        _campaign_for([isere], title=f"Campagne A{index}")
    few = _queries(user_client, "/mon-espace/")
    for index in range(45):
        _campaign_for([isere], title=f"Campagne B{index}")
    with django_assert_num_queries(few):
        user_client.get("/mon-espace/")
