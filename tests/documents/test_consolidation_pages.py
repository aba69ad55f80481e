"""The consolidated tables' pages and files, through HTTP with the demo answers: DIHAL sees
the nation, a region or a département; a prefecture its territory and nothing more; the
operators nothing. Figures in French, charts as SVG with a text alternative, sorting on the
server, files within the same scope, no household name anywhere."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from wagtailstreamforms.models import Form

from documents.consolidation.charts import territory_bars
from documents.consolidation.format import value_text
from documents.consolidation.status_chart import answer_status_bar
from documents.consolidation.vocabulary import (
    DATE,
    DECIMAL,
    EUROS,
    INTEGER,
    PERCENT_VALUE,
    POINTS,
    RATE,
    Measure,
)
from forms_app.models import Campaign, Household, Scope, Submission, SubmissionStatus
from forms_app.tracker import TrackerCounts
from portal.charts import stacked_segments
from portal.models import Organisation, Territory
from tests.factories import HouseholdFactory, household_document, seeded_answer
from tests.signing import signed_in

BILAN_2021 = "Bilan d'étape 2021"
BILAN_2022 = "Bilan d'étape 2022"
FILED = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
NNBSP = "\u202f"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _client(email: str) -> Client:
    return signed_in(email)


def _campaign(title: str) -> Campaign:
    return Campaign.objects.get(title=title)


def _url(campaign: Campaign, name: str = "documents:consolidation", **kwargs) -> str:
    return reverse(name, kwargs={"pk": campaign.pk, **kwargs})


def _page(client: Client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content.decode(), "html.parser")


def _number(text: str) -> float | None:
    """A French figure of the page back to a number (« 2 845 », « 1,21 », « 40,6 % »)."""
    text = text.strip()
    if text == "—":
        return None
    cleaned = text.replace(NNBSP, "").replace("\u00a0", "").replace("%", "").replace("€", "")
    return float(cleaned.replace("\u2212", "-").replace(",", "."))


def _rows(page: BeautifulSoup, table_id: str) -> list[dict[str, str]]:
    """The rows of one table: cell texts by column key, with the row's key as "_row"."""
    table = page.select_one(f'table[data-table="{table_id}"]')
    assert table is not None, f"no table {table_id}"
    rows = []
    for tr in table.select("tbody tr[data-row]"):
        cells = {cell["data-key"]: cell.get_text(strip=True) for cell in tr.select("[data-key]")}
        rows.append({"_row": tr["data-row"], **cells})
    return rows


def _figure(page: BeautifulSoup, key: str) -> str:
    return page.select_one(f'[data-figure="{key}"] .portal-figure__value').get_text(strip=True)


def _names_outside(page_text: str, *, own_codes: set[str]) -> list[str]:
    """Names of territories other than ``own_codes`` that the text mentions (whole words)."""
    return [
        territory.name
        for territory in Territory.objects.exclude(code__in=own_codes)
        if re.search(rf"(?<![\w-]){re.escape(territory.name)}(?![\w-])", page_text)
    ]


# ---------------------------------------------------------------------------------------
# DIHAL: the nation, a region, sorting
# ---------------------------------------------------------------------------------------


def test_dihal_sees_the_national_tables_and_charts(demo_data):
    campaign = _campaign(BILAN_2022)
    page = _page(_client("dihal@demo.test"), _url(campaign))

    rows = _rows(page, "par-territoire")
    assert len(rows) == 26
    assert {row["_row"] for row in rows} == set(Territory.objects.values_list("code", flat=True))
    met = [_number(row["nb_menages_rencontres"]) for row in rows]
    assert sum(1 for value in met if value is not None) >= 20
    total = round(sum(value for value in met if value is not None))
    figure = _figure(page, "nb_menages_rencontres")
    assert figure == f"{total:,}".replace(",", NNBSP)
    assert total >= 1000 and NNBSP in figure
    # The national total is the sum of what the answers say, not of the page's own cells.
    answers = Submission.objects.filter(campaign=campaign, status__in=FILED)
    assert total == sum(int(s.data["nb_menages_rencontres"]) for s in answers)
    # Three indicators computed from the totals, in French.
    assert re.fullmatch(r"\d+,\d\u00a0%", _figure(page, "taux_accompagnement"))
    assert re.fullmatch(r"\d+,\d{1,2}", _figure(page, "menages_par_jour"))

    charts = page.select('svg[role="img"][data-chart]')
    assert len(charts) >= 2
    for chart in charts:
        assert chart.get("aria-label")
        assert chart.find("title").get_text(strip=True)
        assert chart.find("desc").get_text(strip=True)
    territories = page.select_one('svg[data-chart="graphique-territoires"]')
    bars = territories.select("g[data-row]")
    assert len(bars) == 26
    values = [float(rect["data-value"]) for rect in territories.select("rect[data-value]")]
    assert values == sorted(values, reverse=True) and len(values) == len(
        [v for v in met if v is not None]
    )
    # Each bar carries its value as text, in French.
    assert bars[0].select_one(".portal-chart__value").get_text() == value_text(values[0], INTEGER)

    # N-1 → N of the procedures: two bars and the change per procedure, as in the table.
    procedures = _rows(page, "procedures")
    assert [row["procedure"] for row in procedures][:1] == ["Assignations"]
    chart = page.select_one('svg[data-chart="graphique-procedures"]')
    for row in procedures:
        group = chart.select_one(f'g[data-row="{row["_row"]}"]')
        assert len(group.select("rect[data-series]")) == 2
        assert group.select_one(".portal-chart__note").get_text() == row["evolution"]
    assignations = procedures[0]
    n, n1 = _number(assignations["n"]), _number(assignations["n1"])
    assert _number(assignations["evolution"]) == pytest.approx((n - n1) / n1 * 100, abs=0.05)

    # The answers' status: the tracker's counts, stacked, and as a table.
    status = {row["_row"]: int(row["nombre"]) for row in _rows(page, "etat-des-reponses")}
    assert status["attendues"] == 26
    assert status["acceptee"] + status["transmise"] == answers.count()
    segments = page.select('svg[data-chart="graphique-reponses"] rect[data-status]')
    assert sum(int(s["data-count"]) for s in segments) == 26

    # Regions, the comparison with 2021 and the download links.
    regions = _rows(page, "par-region")
    assert len(regions) == len(set(Territory.objects.values_list("region", flat=True)))
    comparison = page.select_one('table[data-table="comparaison"]')
    assert BILAN_2021 in comparison.get_text() and BILAN_2022 in comparison.get_text()
    links = {a["href"] for a in page.select("[data-downloads] a")}
    assert _url(campaign, "documents:consolidation_xlsx") in links
    assert _url(campaign, "documents:consolidation_docx") in links
    assert _url(campaign, "documents:consolidation_csv", table="departements") in links


def test_the_region_filter_narrows_to_its_departements(demo_accounts):
    for code in ("93", "75", "38"):
        seeded_answer(BILAN_2022, code)
    campaign = _campaign(BILAN_2022)
    client = _client("dihal@demo.test")
    page = _page(client, _url(campaign) + "?region=Île-de-France")
    expected = set(Territory.objects.filter(region="Île-de-France").values_list("code", flat=True))
    assert len(expected) >= 2
    rows = _rows(page, "par-territoire")
    assert {row["_row"] for row in rows} == expected
    total = sum(_number(row["nb_menages_rencontres"]) or 0 for row in rows)
    assert _number(_figure(page, "nb_menages_rencontres")) == total
    assert "Île-de-France" in page.select_one("[data-scope]").get_text()
    assert page.select_one('table[data-table="par-region"]') is None
    # The files keep the filter.
    xlsx = page.select_one(f'a[href^="{_url(campaign, "documents:consolidation_xlsx")}"]')
    assert "region=" in xlsx["href"]

    # A département of the nation, then a region that does not exist: never more than asked.
    code = (
        Submission.objects.filter(campaign=campaign, status__in=FILED)
        .values_list("territory__code", flat=True)
        .first()
    )
    page = _page(client, _url(campaign) + f"?departement={code}")
    assert [row["_row"] for row in _rows(page, "par-territoire")] == [code]
    page = _page(client, _url(campaign) + "?region=Atlantide")
    assert page.select_one("[data-notice]") is not None
    assert len(_rows(page, "par-territoire")) == 26


def test_a_departement_outside_the_region_asked_wins_over_it(demo_accounts):
    seeded_answer(BILAN_2021, "38")
    seeded_answer(BILAN_2021, "76")
    campaign = _campaign(BILAN_2021)  # Isère filed its bilan 2021
    client = _client("dihal@demo.test")
    isere = Territory.objects.get(code="38")
    assert isere.region != "Normandie"
    page = _page(client, _url(campaign) + "?region=Normandie&departement=38")
    assert [row["_row"] for row in _rows(page, "par-territoire")] == ["38"]
    notices = [notice.get_text(" ", strip=True) for notice in page.select("[data-notice]")]
    assert notices == [
        "Le département Isère (38) n'est pas dans la région « Normandie » : le filtre par "
        "région n'est pas appliqué."
    ]
    assert "Isère (38)" in page.select_one("[data-scope]").get_text()
    assert page.select_one("#filtre-region option[selected]") is None
    assert page.select_one("#filtre-departement option[selected]")["value"] == "38"
    # The files follow the département only.
    xlsx = page.select_one(f'a[href^="{_url(campaign, "documents:consolidation_xlsx")}"]')
    assert xlsx["href"].endswith("?departement=38")
    response = client.get(
        _url(campaign, "documents:consolidation_csv", table="departements")
        + "?region=Normandie&departement=38"
    )
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("38;Isère;")

    # A département inside the region asked keeps both, without a notice.
    page = _page(client, _url(campaign) + f"?region={isere.region}&departement=38")
    assert page.select_one("[data-notice]") is None
    assert [row["_row"] for row in _rows(page, "par-territoire")] == ["38"]


def test_the_comparison_runs_from_the_previous_campaign_rates_in_points(demo_data):
    campaign = _campaign(BILAN_2022)
    page = _page(_client("dihal@demo.test"), _url(campaign))
    header = page.select_one('table[data-table="comparaison"] th[data-key="evolution"]')
    assert header.get_text(strip=True) == f"Évolution ({BILAN_2021} → {BILAN_2022})"
    rows = {row["_row"]: row for row in _rows(page, "comparaison")}
    rate = rows["taux_accompagnement"]
    before = _number(rate[f"c{_campaign(BILAN_2021).pk}"])
    now = _number(rate[f"c{campaign.pk}"])
    assert rate["evolution"].endswith("\u00a0pt")
    assert _number(rate["evolution"].removesuffix("\u00a0pt")) == pytest.approx(
        now - before, abs=0.11
    )
    met = rows["nb_menages_rencontres"]
    assert met["evolution"].endswith("\u00a0%")
    # A later campaign, not yet opened, never enters the comparison.
    Campaign.objects.create(
        form_id=campaign.form_id,
        title="Bilan d'étape 2099",
        opens_on=datetime.date(2099, 11, 1),
        due_on=datetime.date(2099, 12, 15),
    )
    page = _page(_client("dihal@demo.test"), _url(campaign))
    assert "2099" not in page.select_one('table[data-table="comparaison"]').get_text()


def test_a_csv_computes_only_what_its_table_needs(demo_accounts):
    """One CSV does not pay for the household counts or the other campaigns."""
    seeded_answer(BILAN_2021, "38")
    seeded_answer(BILAN_2022, "38")
    operator = Organisation.objects.get(memberships__user__email="operateur38a@demo.test")
    household_document(HouseholdFactory(operator=operator))
    campaign = _campaign(BILAN_2022)
    client = _client("dihal@demo.test")
    household_table = Household._meta.db_table

    def queries(table: str) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_url(campaign, "documents:consolidation_csv", table=table))
        assert response.status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    departements = queries("departements")
    assert not [sql for sql in departements if household_table in sql]
    menages = queries("menages")
    assert [sql for sql in menages if household_table in sql]
    comparison = queries("comparaison")
    assert len(comparison) > len(departements)
    assert not [sql for sql in comparison if household_table in sql]
    text = client.get(_url(campaign, "documents:consolidation_csv", table="comparaison"))
    assert BILAN_2021 in text.content.decode("utf-8-sig")


def test_the_level_switch_and_filter_form_work_without_javascript(demo_accounts):
    seeded_answer(BILAN_2022, "38")
    seeded_answer(BILAN_2022, "31")
    campaign = _campaign(BILAN_2022)
    client = _client("dihal@demo.test")
    page = _page(client, _url(campaign) + "?niveau=region")
    assert page.select_one('[data-level="region"]')["aria-current"] == "page"
    region_links = [a["href"] for a in page.select(".fr-tags-group a")]
    assert "?region=Occitanie" in region_links
    form = page.select_one("form[data-filters]")
    assert form["method"] == "get"
    assert form.select_one('select[name="region"]') and form.select_one(
        'select[name="departement"]'
    )
    page = _page(client, _url(campaign) + "?niveau=departement")
    assert "?departement=38" in [a["href"] for a in page.select(".fr-tags-group a")]
    # A territory's name in the table leads to its own page.
    links = [a["href"] for a in page.select('table[data-table="par-territoire"] th a')]
    assert "?departement=38" in links


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_sorting_by_a_column_happens_on_the_server(demo_data, order):
    campaign = _campaign(BILAN_2022)
    page = _page(
        _client("dihal@demo.test"),
        _url(campaign) + f"?tri=nb_menages_rencontres&ordre={order}",
    )
    values = [_number(row["nb_menages_rencontres"]) for row in _rows(page, "par-territoire")]
    known = [value for value in values if value is not None]
    assert values[: len(known)] == known, "empty values come last"
    assert known == sorted(known, reverse=order == "desc")
    if order == "desc":
        assert values[0] == max(known)
    header = page.select_one(
        'table[data-table="par-territoire"] th[data-key="nb_menages_rencontres"]'
    )
    assert header["aria-sort"] == {"desc": "descending", "asc": "ascending"}[order]
    other = "asc" if order == "desc" else "desc"
    assert f"ordre={other}" in header.a["href"]
    unsorted = page.select('table[data-table="par-territoire"] th[aria-sort]')
    assert len(unsorted) == 1

    # Text columns sort in French order (« Île-de-France » among the I).
    page = _page(_client("dihal@demo.test"), _url(campaign) + "?tri=region&ordre=asc")
    regions = [row["region"] for row in _rows(page, "par-region")]
    assert regions.index("Île-de-France") < regions.index("Normandie")


# ---------------------------------------------------------------------------------------
# Prefectures and operators
# ---------------------------------------------------------------------------------------


def test_a_prefecture_sees_its_territory_only(demo_accounts):
    seeded_answer(BILAN_2021, "38")
    seeded_answer(BILAN_2021, "93")
    campaign = _campaign(BILAN_2021)
    assert Submission.objects.filter(
        campaign=campaign, territory__code="38", status__in=FILED
    ).exists()
    client = _client("prefecture38@demo.test")
    for query in ("", "?departement=93", "?region=Île-de-France", "?niveau=departement"):
        page = _page(client, _url(campaign) + query)
        main = page.find("main")
        assert [row["_row"] for row in _rows(page, "par-territoire")] == ["38"], query
        assert "Isère" in main.get_text()
        assert _names_outside(main.get_text(" "), own_codes={"38"}) == [], query
        assert page.select_one('table[data-table="par-region"]') is None
        assert page.select_one("form[data-filters]") is None
    # Its own figure is its territory's answer.
    answer = Submission.objects.get(campaign=campaign, territory__code="38", status__in=FILED)
    assert _number(_figure(page, "nb_menages_rencontres")) == answer.data["nb_menages_rencontres"]


def test_a_campaign_without_a_filed_answer_says_so(demo_accounts):
    # Isère's 2022 bilan is still a draft (as in the demo).
    seeded_answer(BILAN_2022, "38", status=SubmissionStatus.DRAFT)
    seeded_answer(BILAN_2022, "93")
    campaign = _campaign(BILAN_2022)
    assert not Submission.objects.filter(
        campaign=campaign, territory__code="38", status__in=FILED
    ).exists()
    page = _page(_client("prefecture38@demo.test"), _url(campaign))
    assert "Aucune réponse transmise pour le moment" in page.select_one("[data-empty]").get_text()
    assert page.select_one('table[data-table="par-territoire"]') is None
    assert page.select_one("[data-downloads]") is None
    # The answers' status still shows where Isère's answer stands.
    status = {row["_row"]: int(row["nombre"]) for row in _rows(page, "etat-des-reponses")}
    assert status["attendues"] == 1 and status["en_cours"] == 1

    # A new campaign, for DIHAL too.
    bilan = Form.objects.get(pk=campaign.form_id)
    empty = Campaign.objects.create(
        form=bilan,
        title="Bilan d'étape 2023",
        opens_on=datetime.date(2023, 11, 1),
        due_on=datetime.date(2023, 12, 15),
    )
    page = _page(_client("dihal@demo.test"), _url(empty))
    assert page.select_one("[data-empty]") is not None
    assert page.select('svg[data-chart="graphique-territoires"]') == []


def test_operators_anonymous_and_unknown_campaigns_are_refused(demo_accounts):
    campaign = _campaign(BILAN_2022)
    urls = [
        _url(campaign),
        _url(campaign, "documents:consolidation_xlsx"),
        _url(campaign, "documents:consolidation_csv", table="departements"),
        _url(campaign, "documents:consolidation_docx"),
    ]
    operator = _client("operateur38a@demo.test")
    anonymous = Client()
    for url in urls:
        assert operator.get(url).status_code == 403, url
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    dihal = _client("dihal@demo.test")
    assert dihal.get(reverse("documents:consolidation", kwargs={"pk": 999_999})).status_code == 404
    unknown = _url(campaign, "documents:consolidation_csv", table="inconnue")
    assert dihal.get(unknown).status_code == 404


def test_no_consolidation_for_a_household_form(demo_accounts):
    """Household forms never open as campaigns; one made anyway gets no tables."""
    form = Form.objects.filter(advanced_settings__scope=Scope.MENAGE).first()
    campaign = Campaign.objects.create(
        form=form,
        title="Diagnostics (hors règle)",
        opens_on=datetime.date(2022, 1, 1),
        due_on=datetime.date(2022, 12, 31),
    )
    for email in ("dihal@demo.test", "prefecture38@demo.test"):
        assert _client(email).get(_url(campaign)).status_code == 403


def test_the_tracker_and_the_campaign_list_link_to_the_tables(demo_accounts):
    seeded_answer(BILAN_2022, "38")
    campaign = _campaign(BILAN_2022)
    client = _client("prefecture38@demo.test")
    for url in (
        reverse("forms_app:campaign_list"),
        reverse("forms_app:campaign_answers", kwargs={"pk": campaign.pk}),
    ):
        page = _page(client, url)
        assert _url(campaign) in {a["href"] for a in page.select("a[data-consolidation]")}


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def _sheet_rows(content: bytes, title: str) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return list(workbook[title].iter_rows(values_only=True))


def _assert_private_file(response, content_type: str, extension: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{extension}"')
    assert response["Cache-Control"] == "no-store"


def test_downloads_for_dihal(demo_accounts):
    seeded_answer(BILAN_2022, "38")
    seeded_answer(BILAN_2022, "31", status=SubmissionStatus.ACCEPTED)
    campaign = _campaign(BILAN_2022)
    client = _client("dihal@demo.test")
    response = client.get(_url(campaign, "documents:consolidation_xlsx"))
    _assert_private_file(response, XLSX_TYPE, "xlsx")
    rows = _sheet_rows(response.content, "Par département")
    assert len(rows) == 1 + 26

    response = client.get(_url(campaign, "documents:consolidation_csv", table="departements"))
    _assert_private_file(response, "text/csv; charset=utf-8", "csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff") and ";" in text.splitlines()[0]
    assert len(text.strip().splitlines()) == 1 + 26

    response = client.get(_url(campaign, "documents:consolidation_docx"))
    _assert_private_file(response, DOCX_TYPE, "docx")
    Document(io.BytesIO(response.content))  # a readable Word document
    assert zipfile.is_zipfile(io.BytesIO(response.content))

    # The region filter reaches the files too.
    response = client.get(_url(campaign, "documents:consolidation_xlsx") + "?region=Occitanie")
    occitanie = Territory.objects.filter(region="Occitanie").count()
    assert len(_sheet_rows(response.content, "Par département")) == 1 + occitanie


def test_a_prefecture_files_hold_its_territory_only(demo_accounts):
    seeded_answer(BILAN_2021, "38")
    seeded_answer(BILAN_2021, "93")
    campaign = _campaign(BILAN_2021)
    client = _client("prefecture38@demo.test")
    response = client.get(_url(campaign, "documents:consolidation_xlsx") + "?departement=93")
    _assert_private_file(response, XLSX_TYPE, "xlsx")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    texts = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    others = Territory.objects.exclude(code="38")
    assert "Isère" in texts
    assert not texts & set(others.values_list("name", flat=True))
    departements = _sheet_rows(response.content, "Par département")
    assert len(departements) == 2 and "38" in departements[1]
    answers = _sheet_rows(response.content, "Réponses")
    assert len(answers) == 2

    response = client.get(_url(campaign, "documents:consolidation_csv", table="reponses"))
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and "Isère" in lines[1]

    response = client.get(_url(campaign, "documents:consolidation_docx") + "?region=Occitanie")
    _assert_private_file(response, DOCX_TYPE, "docx")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert not [name for name in others.values_list("name", flat=True) if name in text]


# ---------------------------------------------------------------------------------------
# Households: counts only
# ---------------------------------------------------------------------------------------


def test_no_household_name_in_the_pages_or_files(demo_households):
    names = {name for name in Household.objects.values_list("nom", flat=True) if name}
    assert len(names) >= 20
    campaign = _campaign(BILAN_2022)
    for email in ("dihal@demo.test", "prefecture38@demo.test"):
        client = _client(email)
        body = client.get(_url(campaign)).content.decode()
        assert not [name for name in names if re.search(rf"\b{re.escape(name)}\b", body)]
        assert 'data-table="dossiers-menages"' in body
        menages = client.get(_url(campaign, "documents:consolidation_csv", table="menages"))
        text = menages.content.decode("utf-8-sig")
        assert not [name for name in names if re.search(rf"\b{re.escape(name)}\b", text)]


# ---------------------------------------------------------------------------------------
# The charts' pieces
# ---------------------------------------------------------------------------------------


def test_values_read_in_french():
    assert value_text(2845, INTEGER) == f"2{NNBSP}845"
    assert value_text(1.2065, DECIMAL) == "1,21"
    assert value_text(1227856.0, EUROS) == f"1{NNBSP}227{NNBSP}856\u00a0€"
    assert value_text(48250.5, EUROS) == f"48{NNBSP}250,50\u00a0€"  # cents when there are some
    assert value_text(0.40597, RATE) == "40,6\u00a0%"
    assert value_text(62.5, PERCENT_VALUE) == "62,5\u00a0%"
    assert value_text(0.0742, RATE, signed=True) == "+7,4\u00a0%"
    assert value_text(-0.0104, RATE, signed=True) == "\u22121,0\u00a0%"
    assert value_text(-1234, INTEGER) == f"\u22121{NNBSP}234"
    # A rate's change between campaigns, in points.
    assert value_text(0.008, POINTS, signed=True) == "+0,8\u00a0pt"
    assert value_text(-0.0213, POINTS, signed=True) == "\u22122,1\u00a0pt"
    # Nothing signed that reads as zero.
    assert value_text(-0.00001, RATE, signed=True) == "0,0\u00a0%"
    assert value_text(0.0, POINTS, signed=True) == "0,0\u00a0pt"
    assert value_text(None, INTEGER) == value_text(float("nan"), RATE) == "—"
    assert value_text(datetime.date(2020, 12, 29), DATE) == "29/12/2020"


def test_territory_bars_largest_first_empty_last():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "code": ["01", "02", "03"],
            "departement": ["Ain", "Aisne", "Allier"],
            "region": ["A", "B", "C"],
            "nb_menages_rencontres": pd.array([10, pd.NA, 30], dtype="Float64"),
        }
    )
    measure = Measure("nb_menages_rencontres", "Ménages rencontrés", "somme", INTEGER)
    chart = territory_bars(by_territory=frame, measure=measure)
    assert [row.key for row in chart.rows] == ["03", "01", "02"]
    widths = [row.bars[0].width for row in chart.rows]
    assert widths[0] > widths[1] > 0 and widths[2] == 0
    assert [row.bars[0].text for row in chart.rows] == ["30", "10", "—"]
    assert "Allier (03) : 30" in chart.description


def test_status_bar_from_tracker_counts():
    counts = TrackerCounts(
        expected=10, transmitted=6, accepted=4, awaiting=2, in_progress=3, not_started=1, late=2
    )
    chart = answer_status_bar(counts=counts)
    assert [(s.key, s.count) for s in chart.segments] == [
        ("acceptee", 4),
        ("transmise", 2),
        ("en_cours", 3),
        ("a_commencer", 1),
    ]
    assert round(sum(s.width for s in chart.segments)) == 100
    assert "6 transmises sur 10 attendues" in chart.summary and "2 en retard" in chart.summary
    assert stacked_segments([("a", "A", 0), ("b", "B", 0)]) == []

    # Counts grouped the French way, on the segments, in the legend and the summary.
    large = TrackerCounts(
        expected=3000,
        transmitted=1234,
        accepted=1234,
        awaiting=0,
        in_progress=766,
        not_started=1000,
        late=1766,
    )
    chart = answer_status_bar(counts=large)
    assert [s.text for s in chart.segments] == [f"1{NNBSP}234", "766", f"1{NNBSP}000"]
    assert [p.text for p in chart.parts][0] == f"1{NNBSP}234"
    assert chart.late_text == f"1{NNBSP}766"
    assert f"1{NNBSP}234 transmises sur 3{NNBSP}000 attendues" in chart.summary


def test_the_charts_colours_follow_the_dsfr_themes():
    """Colours come from DSFR variables, so that its dark theme applies: no colour typed in."""
    css = (
        Path(__file__).resolve().parents[2] / "documents/static/documents/consolidation.css"
    ).read_text()
    assert not re.findall(r"#[0-9a-fA-F]{3,8}\b|rgba?\(", css)
    for rule in re.findall(r"[^{}]+\{[^}]*\}", css):
        for value in re.findall(r"(?:fill|stroke|background)\s*:\s*([^;}]+)", rule):
            assert value.strip().startswith("var(--"), rule
