"""Every read, change, download and document of a household's data leaves one trace row."""

import datetime

import pytest
from wagtailstreamforms.models import Form

from forms_app import lifecycle
from forms_app.households import services as households
from portal.models import AuditEntry, Organisation


@pytest.fixture
def household(demo_accounts):
    operator = Organisation.objects.get(memberships__user__email="operateur38a@demo.test")
    household = households.household_create(
        operator=operator,
        user=None,
        fields={
            "nom": "Ombrevallier",
            "source": "ccapex",
            "referred_on": datetime.date(2021, 2, 1),
            "stage": "cdp",
        },
    )
    form = Form.objects.get(slug="diagnostic-social-et-financier")
    document = households.household_document_open(household=household, form=form, user=None)
    lifecycle.submission_submit(
        submission=document,
        user=None,
        data={"date_entretien": "2021-02-10"},
        draft_input={},
        expected_revision=document.revision,
    )
    household.document = document
    return household


def _traces(reference: str) -> list[tuple[str, str]]:
    return list(
        AuditEntry.objects.filter(household_reference=reference)
        .order_by("pk")
        .values_list("action", "user__email")
    )


def test_each_access_to_a_household_leaves_one_row(household, login):
    client = login("operateur38a@demo.test")
    document = household.document
    client.get(f"/menages/{household.pk}/")
    client.get(f"/reponses/{document.pk}/")
    client.get(f"/reponses/{document.pk}/word/")
    client.post(
        f"/menages/{household.pk}/contacts/",
        {"date": "2021-02-12", "mode": "telephone", "result": "echange", "_fin": "1"},
    )
    email = "operateur38a@demo.test"
    assert _traces(household.reference) == [
        ("lecture", email),
        ("lecture", email),
        ("document", email),
        ("modification", email),
    ]
    entry = AuditEntry.objects.filter(household_reference=household.reference).order_by("pk")[0]
    assert entry.organisation == "Association Alpes Prévention Logement (démo)"
    assert entry.submission_id is None


def test_lists_of_households_are_traced_too(household, login):
    client = login("operateur38a@demo.test")
    client.get("/menages/?q=Ombre")
    client.get("/menages/veilles/")
    assert list(
        AuditEntry.objects.filter(household_reference="(liste)")
        .order_by("pk")
        .values_list("path", flat=True)
    ) == ["/menages/?q=Ombre", "/menages/veilles/"]


def test_refused_accesses_leave_no_household_trace(household, login):
    client = login("prefecture38@demo.test")
    assert client.get(f"/menages/{household.pk}/").status_code in (403, 404)
    assert client.get(f"/reponses/{household.document.pk}/").status_code == 404
    assert _traces(household.reference) == []
