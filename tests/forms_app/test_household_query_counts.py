"""Household list pages make the same number of SQL queries with few and with many rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forms_app.households.services import contact_attempt_add, household_create
from forms_app.models import Household
from portal.models import Organisation

TODAY = timezone.localdate()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _add_households(operator: Organisation, count: int) -> None:
    """``count`` households met 20 days ago: each is due a follow-up (none filed)."""
    start = Household.objects.filter(operator=operator).count()
    for index in range(start, start + count):
        household = household_create(
            operator=operator,
            user=None,
            fields={
                "nom": f"Ménage {index}",
                "source": "ccapex",
                "referred_on": TODAY - datetime.timedelta(days=30),
                "stage": ["cdp", "assignation", "cql", "rfp", "cfp"][index % 5],
            },
        )
        contact_attempt_add(
            household=household,
            user=None,
            date=TODAY - datetime.timedelta(days=20),
            mode="visite",
            result="rencontre",
        )
        # A follow-up is due once the household had an intervention; set it as filing a
        # diagnostic would, to keep this test about queries.
        Household.objects.filter(pk=household.pk).update(
            veille_due_on=TODAY - datetime.timedelta(days=index % 10)
        )


@pytest.fixture
def operator(demo_accounts):
    return Organisation.objects.get(name__contains="Alpes Prévention")


@pytest.mark.parametrize(
    "email, url",
    [
        ("operateur38a@demo.test", "/menages/"),
        ("operateur38a@demo.test", "/menages/?stage=cdp&status=rencontre&q=Ménage"),
        ("operateur38a@demo.test", "/menages/veilles/"),
        ("operateur38a@demo.test", "/mon-espace/"),
        ("prefecture38@demo.test", "/suivi/menages/"),
        ("dihal@demo.test", "/suivi/menages/"),
        ("dihal@demo.test", "/suivi/menages/?territoire=38&statut=rencontre"),
    ],
)
def test_household_pages_are_flat(login, operator, email, url):
    client = login(email)
    _add_households(operator, 3)
    few = _queries(client, url)
    _add_households(operator, 30)
    many = _queries(client, url)
    assert many == few, f"{url}: {few} queries with 3 households, {many} with 33"
