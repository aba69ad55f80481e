"""The scale data: 101 départements with their operators, accounts the load test can sign
in with, and households copied from the demo's to other operators."""

from __future__ import annotations

import csv
import json

import pytest
from django.conf import settings

from demo.accounts import demo_accounts_load
from demo.scale_accounts import (
    accounts_file_write,
    departements_read,
    operators_fill,
    scale_accounts_create,
    territories_extend,
)
from demo.scale_households import households_copy
from forms_app.models import ContactAttempt, Household, Submission
from portal.models import Organisation, OrganisationKind, Territory
from tests.signing import SECOND_FACTOR_PATH, sign_in


def _ten_times_organisations() -> list:
    demo_accounts_load()
    territories_extend()
    territories = list(Territory.objects.order_by("code"))
    operators_fill(territories=territories)
    return scale_accounts_create(territories=territories)


@pytest.mark.django_db
def test_scale_ten_has_101_departements_with_a_prefecture_and_three_operators(portal_content):
    _ten_times_organisations()
    codes = [row["code"] for row in departements_read()]
    assert sorted(Territory.objects.values_list("code", flat=True)) == sorted(codes)
    assert len(codes) == 101 and {"2A", "2B", "971", "976"} <= set(codes)
    for territory in Territory.objects.all():
        kinds = list(territory.organisations.values_list("kind", flat=True))
        assert kinds.count(OrganisationKind.PREFECTURE) == 1, territory.code
        assert kinds.count(OrganisationKind.OPERATEUR) == 3, territory.code


@pytest.mark.django_db
def test_the_seed_territories_keep_their_region_so_regions_add_up(portal_content):
    with (settings.PORTAL_CONTENT_DIR / "territories.csv").open(encoding="utf-8") as handle:
        seed = {row["code"]: row["region"] for row in csv.DictReader(handle)}
    listed = {row["code"]: row["region"] for row in departements_read()}
    assert {code: listed[code] for code in seed} == seed


@pytest.mark.django_db
def test_every_role_in_the_accounts_file_signs_in_with_password_and_totp(
    portal_content, client, tmp_path
):
    accounts = _ten_times_organisations()
    path = tmp_path / "accounts.json"
    accounts_file_write(path=path, accounts=accounts)
    by_role = json.loads(path.read_text(encoding="utf-8"))
    assert set(by_role) == {"dihal", "prefecture", "operateur"}
    assert len(by_role["prefecture"]) >= 101 and len(by_role["operateur"]) >= 2 * 303
    for role in by_role:
        account = by_role[role][-1]
        assert set(account) == {"email", "totp_secret"}
        response = sign_in(client, account["email"])
        assert response.status_code == 302, (role, response.content[:300])
        assert not response["Location"].startswith(SECOND_FACTOR_PATH)
        client.logout()


@pytest.mark.django_db
def test_households_copied_to_other_operators_keep_their_documents_and_contacts(
    demo_households,
):
    territories = list(Territory.objects.filter(code__in=["69", "75"]))
    operators_fill(territories=territories)
    scale_accounts_create(territories=territories)
    before = Household.objects.count()
    counts = households_copy(target_total=before + 20, progress=lambda text: None)
    assert counts.households == 20 and Household.objects.count() == before + 20
    new_operators = Organisation.objects.filter(territory__in=territories, households__isnull=False)
    copies = Household.objects.filter(operator__in=new_operators)
    assert copies.count() == 20
    for copy in copies:
        assert copy.reference.startswith(f"{copy.territory.code}-")
        assert copy.territory_id == copy.operator.territory_id
        source = Household.objects.exclude(pk=copy.pk).filter(nom=copy.nom).first()
        assert source is not None
    documents = Submission.objects.filter(household__in=copies)
    assert documents.count() == counts.documents
    assert set(documents.values_list("organisation_id", flat=True)) <= set(
        new_operators.values_list("pk", flat=True)
    )
    assert ContactAttempt.objects.filter(household__in=copies).count() == counts.contacts
