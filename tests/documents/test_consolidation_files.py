"""The consolidated tables as files: the XLSX workbook and the CSV tables, read back the way a
spreadsheet would — no formula from crafted answers, the sheets, formats and totals, only the
reader's territory, never a household's name."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.utils.datastructures import MultiValueDict
from openpyxl import load_workbook

from demo.households import DEMO_HOUSEHOLD_NAMES
from documents.consolidation.build import campaign_consolidation
from documents.consolidation.files import (
    CSV_TABLES,
    consolidation_csv,
    consolidation_filename,
    csv_tables,
)
from documents.consolidation.frames import Consolidation
from documents.consolidation.vocabulary import TERRITORY_COLUMNS
from documents.consolidation.workbook import consolidation_xlsx
from forms_app.form_builder import answer_form
from forms_app.lifecycle import submission_start, submission_submit
from forms_app.models import Campaign, Household, Submission, SubmissionStatus
from portal.models import Organisation, Territory, User
from tests.forms_app.builders import valid_input

BILAN_2021, BILAN_2022 = "Bilan d'étape 2021", "Bilan d'étape 2022"
BOM = b"\xef\xbb\xbf"
HYPERLINK = '=HYPERLINK("http://x","clic")'
CRAFTED = (HYPERLINK, "+33 1 23", "-2+3", "@SUM(A1)", "\tcmd")


def _consolidation(email: str, title: str = BILAN_2022) -> Consolidation:
    return campaign_consolidation(
        campaign=Campaign.objects.get(title=title), user=User.objects.get(email=email)
    )


def _workbook(consolidation: Consolidation):
    return load_workbook(io.BytesIO(consolidation_xlsx(consolidation=consolidation)))


def _csv_files(consolidation: Consolidation) -> dict[str, bytes]:
    return {
        table.key: consolidation_csv(consolidation=consolidation, table=table.key)
        for table in csv_tables(consolidation=consolidation)
    }


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def _columns(rows: list[list], header: str) -> list:
    """The values under ``header`` (first row) in a table read back."""
    if not rows or header not in rows[0]:
        return []
    index = list(rows[0]).index(header)
    return [row[index] for row in rows[1:] if index < len(row)]


def _sheet_rows(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _texts(consolidation: Consolidation) -> list[str]:
    """Every text a person could read in the workbook (cells and properties) and the CSVs."""
    workbook = _workbook(consolidation)
    texts = [workbook.properties.title or ""]
    for ws in workbook:
        texts.append(ws.title)
        texts += [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    for data in _csv_files(consolidation).values():
        texts += [cell for row in _csv_rows(data) for cell in row]
    return texts


# ---------------------------------------------------------------------------------------
# 1. Answers crafted to become formulas
# ---------------------------------------------------------------------------------------


def _file_crafted_bilan() -> Submission:
    """The Isère bilan 2022 (a draft in the demo), filed through the fill page's checks and
    the lifecycle service with text fields that try to become formulas."""
    campaign = Campaign.objects.get(title=BILAN_2022)
    isere = Organisation.objects.get(kind="prefecture", territory__code="38")
    submission = submission_start(campaign=campaign, organisation=isere, user=None)
    assert submission.status == SubmissionStatus.DRAFT
    schema = submission.form_version.schema
    post = valid_input(
        schema,
        redacteur_service=HYPERLINK,
        commentaire_difficultes="+33 1 23",
        **{
            "operateurs-TOTAL_FORMS": "3",
            "operateurs-0-nom": "-2+3",
            "operateurs-1-nom": "@SUM(A1)",
            "operateurs-2-nom": "cmd",
        },
    )
    for index in (1, 2):
        post[f"operateurs-{index}-type"] = post["operateurs-0-type"]
    form = answer_form(
        schema=schema,
        data=MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in post.items()}),
    )
    assert form.is_valid(), form.errors_by_key()
    data = form.cleaned_json()
    # The fill page strips leading whitespace; an answer stored otherwise (an import, an
    # older version) may still start with a tab.
    data["operateurs"][2]["nom"] = "\tcmd"
    submission = submission_submit(
        submission=submission,
        user=None,
        data=data,
        draft_input={},
        expected_revision=submission.revision,
    )
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.data["redacteur_service"] == HYPERLINK
    assert [line["nom"] for line in stored.data["operateurs"]] == ["-2+3", "@SUM(A1)", "\tcmd"]
    return stored


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["dihal@demo.test", "prefecture38@demo.test"])
def test_crafted_answers_stay_text_in_the_workbook_and_are_neutralised_in_csv(
    demo_data_once, db, email
):
    _file_crafted_bilan()
    consolidation = _consolidation(email)

    workbook = _workbook(consolidation)
    found: dict[str, list] = {value: [] for value in CRAFTED}
    for ws in workbook:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.value in found:
                    found[cell.value].append(cell)
    for value, cells in found.items():
        assert cells, f"{value!r} missing from the workbook"
        for cell in cells:
            assert cell.data_type == "s" and cell.quotePrefix, (value, cell.coordinate)
    assert {c.parent.title for c in found["-2+3"]} == {"Opérateurs de l'équipe mobile"}
    assert {c.parent.title for c in found[HYPERLINK]} == {"Réponses"}

    files = _csv_files(consolidation)
    assert {"reponses", "groupe-operateurs", "departements", "comparaison"} <= set(files)
    cells = []
    for key, data in files.items():
        assert data.startswith(BOM), key
        rows = _csv_rows(data)
        assert len({len(row) for row in rows}) == 1, key  # one column count: ';' parsed right
        cells += [cell for row in rows for cell in row]
    for value in CRAFTED:
        assert f"'{value}" in cells, value
        assert value not in cells, value
    # Only text that starts like a formula is prefixed…
    assert {cell[1:] for cell in cells if cell.startswith("'")} == set(CRAFTED)
    # …and numbers, negative ones included, never are.
    evolutions = _columns(_csv_rows(files["comparaison"]), _csv_rows(files["comparaison"])[0][-1])
    negatives = [cell for cell in evolutions if cell.startswith("-")]
    assert negatives
    for cell in negatives:
        assert float(cell.replace(",", ".")) < 0


# ---------------------------------------------------------------------------------------
# 2. Sheets, formats and totals of the national workbook
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_national_workbook_sheets_formats_and_totals(demo_data_once, db):
    consolidation = _consolidation("dihal@demo.test")
    workbook = _workbook(consolidation)

    assert workbook.sheetnames == [
        "Synthèse nationale",
        "Procédures N et N-1",
        "Comparaison des campagnes",
        "Par région",
        "Par département",
        "Réponses",
        "Opérateurs de l'équipe mobile",
        "Dossiers ménages",
    ]
    assert "Bilan d'étape 2022" in workbook.properties.title
    assert "France entière" in workbook.properties.title
    for ws in workbook:
        assert ws.freeze_panes and ws.freeze_panes.endswith("2"), ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        header = [cell.value for cell in ws[1]]
        assert all(isinstance(label, str) and label for label in header), ws.title
        for letter, dimension in ws.column_dimensions.items():
            assert 8 <= dimension.width <= 62, (ws.title, letter)

    territories = workbook["Par département"]
    rows = _sheet_rows(territories)
    header = rows[0]
    assert header[:4] == [c.label for c in TERRITORY_COLUMNS]
    assert len(rows) - 1 == 26
    assert sorted(_columns(rows, "N° de département")) == sorted(
        Territory.objects.values_list("code", flat=True)
    )
    longest = max(len(name) for name in _columns(rows, "Département"))
    assert territories.column_dimensions["B"].width >= longest

    met = header.index("Nombre de ménages rencontrés") + 1
    rate = header.index("Taux d'accompagnement (accompagnés ÷ rencontrés)") + 1
    money = header.index("Crédits consommés (€)") + 1
    filled = [row for row in territories.iter_rows(min_row=2) if row[met - 1].value is not None]
    assert len(filled) == consolidation.national_row["nb_reponses"] > 20
    for row in filled:
        assert row[met - 1].number_format == "#,##0" and isinstance(row[met - 1].value, int)
        assert "%" in row[rate - 1].number_format
        assert 0 < row[rate - 1].value < 1  # a fraction that the format shows as « 40,6 % »
        assert "€" in row[money - 1].number_format
    by_code = consolidation.by_territory.set_index("code")
    for row in filled:
        expected = by_code.loc[row[0].value, "taux_accompagnement"]
        assert row[rate - 1].value == pytest.approx(expected)

    synthesis = {label: value for label, value in _sheet_rows(workbook["Synthèse nationale"])[1:]}
    summed = sum(row[met - 1].value for row in filled)
    assert synthesis["Nombre de ménages rencontrés"] == summed
    assert summed == consolidation.national_row["nb_menages_rencontres"]

    answers = workbook["Réponses"]
    answer_header = [cell.value for cell in answers[1]]
    submitted = answer_header.index("Transmise le")
    year = answer_header.index("Année du bilan")
    for row in answers.iter_rows(min_row=2):
        assert row[submitted].number_format == "DD/MM/YYYY"
        assert row[year].value == 2022 and row[year].number_format == "0"


@pytest.mark.django_db
def test_csv_tables_names_and_french_numbers(demo_data_once, db):
    consolidation = _consolidation("dihal@demo.test")
    keys = [table.key for table in csv_tables(consolidation=consolidation)]
    assert set(keys) == set(CSV_TABLES) | {"groupe-operateurs"}
    for unknown in ("inconnue", "groupe-inconnu", "../reponses"):
        with pytest.raises(ValueError):
            consolidation_csv(consolidation=consolidation, table=unknown)

    rows = _csv_rows(consolidation_csv(consolidation=consolidation, table="departements"))
    assert rows[0][:4] == [c.label for c in TERRITORY_COLUMNS]
    assert len(rows) - 1 == 26
    met = [int(cell) for cell in _columns(rows, "Nombre de ménages rencontrés") if cell]
    assert sum(met) == consolidation.national_row["nb_menages_rencontres"]
    rates = [c for c in _columns(rows, "Taux d'accompagnement (accompagnés ÷ rencontrés)") if c]
    assert rates and all(re.fullmatch(r"0,\d{1,4}", cell) for cell in rates)
    money = [c for c in _columns(rows, "Crédits consommés (€)") if c]
    assert money and all(re.fullmatch(r"\d+,\d\d", cell) for cell in money)

    answers = _csv_rows(consolidation_csv(consolidation=consolidation, table="reponses"))
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", cell) for cell in _columns(answers, "Transmise le"))

    assert (
        consolidation_filename(consolidation=consolidation, extension="xlsx")
        == "tableaux-bilan-d-etape-2022-national.xlsx"
    )
    assert (
        consolidation_filename(consolidation=consolidation, extension="csv", table="regions")
        == "tableaux-bilan-d-etape-2022-national-regions.csv"
    )
    isere = _consolidation("prefecture38@demo.test")
    assert (
        consolidation_filename(consolidation=isere, extension="csv", table="departements")
        == "tableaux-bilan-d-etape-2022-38-departements.csv"
    )


RATE_LABEL = "Taux d'accompagnement (accompagnés ÷ rencontrés)"
MET_LABEL = "Nombre de ménages rencontrés"
EVOLUTION_LABEL = "Évolution (Bilan d'étape 2021 → Bilan d'étape 2022) (points pour les taux)"


@pytest.mark.django_db
def test_comparison_changes_rates_in_points_and_the_rest_relatively(demo_data_once, db):
    consolidation = _consolidation("dihal@demo.test")
    before = _consolidation("dihal@demo.test", BILAN_2021).national_row
    now = consolidation.national_row
    points = (now["taux_accompagnement"] - before["taux_accompagnement"]) * 100
    relative = (now["nb_menages_rencontres"] - before["nb_menages_rencontres"]) / before[
        "nb_menages_rencontres"
    ]
    assert abs(points) > 0.05

    sheet = _workbook(consolidation)["Comparaison des campagnes"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["Indicateur", BILAN_2021, BILAN_2022, EVOLUTION_LABEL]
    cells = {row[0].value: row[3] for row in sheet.iter_rows(min_row=2)}
    # Stored ×100 under a « +0,8 pt » format; a count's change stays a fraction in %.
    assert cells[RATE_LABEL].value == pytest.approx(points)
    assert cells[RATE_LABEL].number_format == '+0.0" pt";-0.0" pt";0.0" pt"'
    assert cells[MET_LABEL].value == pytest.approx(relative)
    assert cells[MET_LABEL].number_format == "0.0%"

    rows = _csv_rows(consolidation_csv(consolidation=consolidation, table="comparaison"))
    assert rows[0][-1] == EVOLUTION_LABEL
    by_label = {row[0]: row[-1] for row in rows[1:]}
    assert by_label[RATE_LABEL] == f"{points:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    assert float(by_label[MET_LABEL].replace(",", ".")) == pytest.approx(relative, abs=1e-4)


@pytest.mark.django_db
def test_no_sheet_takes_excels_reserved_history_name(demo_data_once, db):
    """Excel keeps « History » for itself and « repairs » a workbook with such a sheet."""
    consolidation = _consolidation("dihal@demo.test")
    assert consolidation.groups
    consolidation.groups[0].label = "History"
    names = _workbook(consolidation).sheetnames
    assert "History (2)" in names
    assert not [name for name in names if name.casefold() == "history"]
    consolidation.groups[0].label = "hiSTory"
    names = _workbook(consolidation).sheetnames
    assert "hiSTory (2)" in names and "hiSTory" not in names


# ---------------------------------------------------------------------------------------
# 3. A prefecture's files hold its territory only
# ---------------------------------------------------------------------------------------


def _other_names(own: Territory) -> list[re.Pattern]:
    names = Territory.objects.exclude(pk=own.pk).values_list("name", flat=True)
    assert len(names) == 25
    return [re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])") for name in names]


@pytest.mark.django_db
@pytest.mark.parametrize("title", [BILAN_2021, BILAN_2022])
def test_prefecture_files_hold_its_territory_only(demo_data_once, db, title):
    consolidation = _consolidation("prefecture38@demo.test", title)
    isere = Territory.objects.get(code="38")
    tables = []
    workbook = _workbook(consolidation)
    assert workbook.sheetnames[0] == "Synthèse du périmètre"
    tables += [_sheet_rows(ws) for ws in workbook]
    tables += [_csv_rows(data) for data in _csv_files(consolidation).values()]

    codes = {code for rows in tables for code in _columns(rows, "N° de département")}
    names = {name for rows in tables for name in _columns(rows, "Département")}
    assert codes == {"38"} and names == {"Isère"}
    answers = _csv_rows(consolidation_csv(consolidation=consolidation, table="reponses"))
    filed = Submission.objects.filter(
        campaign__title=title,
        territory=isere,
        status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED],
    ).count()
    assert len(answers) - 1 == filed

    others = _other_names(isere)
    for text in _texts(consolidation):
        # Isère's own region names a neighbour (« Auvergne-Rhône-Alpes »): not a leak.
        text = text.replace(isere.region, "")
        leaks = [pattern.pattern for pattern in others if pattern.search(text)]
        assert not leaks, (text, leaks)


# ---------------------------------------------------------------------------------------
# 4. No household's name or personal field in any consolidated file
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_household_name_in_any_consolidated_file(demo_households):
    personal = set(DEMO_HOUSEHOLD_NAMES)
    for household in Household.objects.all():
        personal |= {
            household.nom,
            household.prenom,
            household.telephone,
            household.email,
            household.adresse_logement,
        }
    personal.discard("")
    assert len(personal) > 100
    patterns = [re.compile(rf"(?<!\w){re.escape(value)}(?!\w)") for value in personal]

    for email in ("dihal@demo.test", "prefecture38@demo.test"):
        for title in (BILAN_2021, BILAN_2022):
            consolidation = _consolidation(email, title)
            counts = consolidation.field_counts
            assert counts is not None
            texts = _texts(consolidation)
            joined = "\n".join(texts)
            leaks = [p.pattern for p in patterns if p.search(joined)]
            assert not leaks, (email, title, leaks[:5])
    # The household files do reach the tables, as counts.
    national = _consolidation("dihal@demo.test", BILAN_2022)
    counted = national.field_counts.drop(columns=["code", "departement", "region"]).sum().sum()
    assert counted > 0
