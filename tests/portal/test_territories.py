from decimal import Decimal

import pytest

from portal import selectors
from portal.models import Territory


def test_twenty_six_territories_99_etp_and_the_published_budget(portal_content):
    totals = selectors.territory_totals()
    assert totals.territories == 26
    assert totals.etp == 99
    assert totals.budget_2021 == Decimal("3883200")
    # ETP × 39 200 € gives 2 400 € less than the published sum (4 × 600 € on 75, 93, 94, 13).
    assert totals.budget_from_etp == Decimal("3880800")


def test_codes_are_kept_as_text(portal_content):
    codes = selectors.territory_codes()
    assert "06" in codes and "974" in codes
    assert Territory.objects.get(code="974").name == "La Réunion"


def test_budget_discrepancies_are_the_four_196_600_rows(portal_content):
    flagged = sorted(t.code for t in Territory.objects.all() if t.budget_differs_from_etp)
    assert flagged == ["13", "75", "93", "94"]


def test_regions_group_with_subtotals(portal_content):
    groups = {group.region: group for group in selectors.territories_by_region()}
    idf = groups["Île-de-France"]
    assert [t.code for t in idf.territories] == ["75", "77", "78", "91", "92", "93", "94", "95"]
    assert idf.etp == 35
    assert sum(len(group.territories) for group in groups.values()) == 26


@pytest.mark.parametrize(
    "email, sees_discrepancies",
    [(None, False), ("prefecture38@demo.test", False), ("dihal@demo.test", True)],
)
def test_territories_page_shows_discrepancies_to_editors_only(
    client, login, email, sees_discrepancies
):
    if email:
        login(email)
    response = client.get("/territoires/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<tr data-code="') == 26
    assert html.count('class="portal-map__dep portal-map__dep--retenu"') == 26
    flagged = [code for code in ("13", "75", "93", "94") if f'data-discrepancy="{code}"' in html]
    assert flagged == (["13", "75", "93", "94"] if sees_discrepancies else [])


def test_territories_page_totals(client, portal_content):
    html = client.get("/territoires/").content.decode().replace("\u202f", " ").replace("\xa0", " ")
    assert 'data-figure="territories">26<' in html
    assert 'data-figure="etp">99<' in html
    assert 'data-figure="budget">3 883 200 €<' in html
