"""The consolidated Word report of a campaign: the shipped template on the demo bilans, in
French, within each reader's scope and without any household's name; editors replace its
template in the admin like a form's, hostile uploads refused the same way."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from wagtailstreamforms.models import Form

from demo.households import DEMO_HOUSEHOLD_NAMES
from documents.consolidation.build import campaign_consolidation
from documents.consolidation.frames import is_missing
from documents.consolidation.page import key_figures
from documents.consolidation.report import (
    consolidation_docx,
    report_context,
    report_keys,
    sample_report_context,
)
from documents.default_templates.report import build_report
from documents.models import TemplatePurpose, WordTemplate
from documents.rendering.store import REPORT_TEMPLATE, active_template
from documents.rendering.template_checks.check import template_check
from forms_app.models import Campaign
from portal.models import Territory, User
from portal.templatetags.portal_format import euros
from tests.documents.builders import all_text, docx_bytes
from tests.factories import seeded_answer

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NNBSP, NBSP, MINUS = "\u202f", "\u00a0", "\u2212"
PROCEDURES = [
    "Assignations",
    "Décisions de justice",
    "Commandements de quitter les lieux (CQL)",
    "Réquisitions de la force publique (RFP)",
    "Concours de la force publique (CFP)",
    "Expulsions effectives",
]
INDICATORS = [
    "Ménages rencontrés par jour d'intervention",
    "Taux d'accompagnement (accompagnés ÷ rencontrés)",
    "Taux de résorption (impayés résorbés ÷ accompagnés)",
]


def _bilan(year: int) -> Campaign:
    return Campaign.objects.get(form__slug="bilan-d-etape", title=f"Bilan d'étape {year}")


def _consolidation(email: str, year: int = 2022):
    return campaign_consolidation(campaign=_bilan(year), user=User.objects.get(email=email))


def _tables(data: bytes) -> list[list[list[str]]]:
    """The report's tables, as rows of cell texts (the République française block aside)."""
    document = Document(io.BytesIO(data))
    return [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables[1:]
    ]


def _table(tables: list[list[list[str]]], *, first: str, row: str | None = None) -> list:
    """The table whose header starts with ``first`` (and that has a row labelled ``row``)."""
    return next(
        table
        for table in tables
        if table[0][0] == first and (row is None or any(line[0] == row for line in table))
    )


def _integer(value: float) -> str:
    return "—" if is_missing(value) else f"{int(value):,}".replace(",", NNBSP)


def _percent(fraction: float, *, signed: bool = False) -> str:
    """« 40,6 % », signed « +7,4 % » / « −1,0 % » (the minus sign, U+2212)."""
    shown = f"{100 * fraction:.1f}".replace(".", ",").replace("-", MINUS) + f"{NBSP}%"
    return f"+{shown}" if signed and fraction > 0 else shown


def _points(difference: float) -> str:
    """A rate's change in points: « +0,8 pt », « −2,1 pt »."""
    shown = f"{100 * difference:+.1f}".replace(".", ",").replace("-", MINUS)
    return f"{shown}{NBSP}pt"


def _upload(client, form: Form, data: bytes, name: str = "rapport.docx"):
    return client.post(
        f"/admin/modeles-word/formulaire/{form.pk}/rapport/",
        {"file": SimpleUploadedFile(name, data, content_type=DOCX)},
    )


@pytest.fixture
def bilan_form() -> Form:
    return Form.objects.get(slug="bilan-d-etape")


# --- The shipped report ---------------------------------------------------------------------


def test_the_national_report_of_bilan_2022_in_french(demo_data):
    consolidation = _consolidation("dihal@demo.test")
    answers = consolidation.answers
    data = consolidation_docx(consolidation=consolidation)
    text = all_text(data)
    tables = _tables(data)

    assert "Synthèse nationale — Bilan d'étape 2022" in text
    assert "France entière (26 territoires)" in text
    # The national total, summed by hand from the answers, as the report writes it.
    met = answers["nb_menages_rencontres"].sum()
    assert met == consolidation.national_row["nb_menages_rencontres"] > 1000
    key_figures = dict(_table(tables, first="Indicateur", row="Nombre de ménages rencontrés"))
    assert key_figures["Nombre de ménages rencontrés"] == _integer(met)
    assert f"{len(answers)} sur 26 attendues" in text

    # The three computed indicators, from the totals (never averaged ratios).
    indicators = _table(tables, first="Indicateur", row=INDICATORS[0])
    assert [row[0] for row in indicators[1:]] == INDICATORS
    supported = answers["nb_menages_accompagnes"].sum()
    resolved = answers["nb_impayes_resorbes"].sum()
    days = answers["nb_jours_intervention"].sum()
    assert [row[1] for row in indicators[1:]] == [
        f"{met / days:.2f}".replace(".", ","),
        _percent(supported / met),
        _percent(resolved / supported),
    ]

    # Six procedure figures, N, N-1 and their change.
    procedures = _table(tables, first="Procédure")
    assert procedures[0] == ["Procédure", "Année N", "Année N-1", "Évolution"]
    assert [row[0] for row in procedures[1:]] == PROCEDURES
    n, n1 = answers["nb_assignations_n"].sum(), answers["nb_assignations_n1"].sum()
    assert procedures[1][1:] == [_integer(n), _integer(n1), _percent((n - n1) / n1, signed=True)]
    assert all(re.fullmatch(r"[+\u2212]?\d+,\d\u00a0%", row[3]) for row in procedures[1:])

    # One row per region, one per département, the same figures as the consolidation.
    regions = _table(tables, first="Région")
    expected_regions = sorted(set(Territory.objects.values_list("region", flat=True)))
    assert sorted(row[0] for row in regions[1:]) == expected_regions
    assert len(regions[0]) == 8  # region, answers and six figures
    departements = _table(tables, first="Département")
    assert departements[1][0] == "Alpes-Maritimes (06)" and len(departements) == 1 + 26
    by_region = consolidation.by_region.set_index("region")
    for row in regions[1:]:
        assert row[2] == _integer(by_region.loc[row[0], "nb_menages_rencontres"]), row
    assert sum(row[2] == "—" for row in regions[1:]) < len(regions) - 1

    # The comparison with the bilan 2021, on the same scope.
    comparison = next(table for table in tables if "Bilan d'étape 2021" in table[0])
    assert comparison[0] == [
        "Indicateur",
        "Bilan d'étape 2021",
        "Bilan d'étape 2022",
        "Évolution (Bilan d'étape 2021 → Bilan d'étape 2022)",
    ]
    before = _consolidation("dihal@demo.test", 2021).national_row["nb_menages_rencontres"]
    line = next(row for row in comparison if row[0] == "Nombre de ménages rencontrés")
    change = _percent((met - before) / before, signed=True)
    assert line[1:] == [_integer(before), _integer(met), change]
    # A rate changes in points, from the previous campaign's rate to this one's.
    rate = INDICATORS[1]
    line = next(row for row in comparison if row[0] == rate)
    older = _consolidation("dihal@demo.test", 2021).national_row["taux_accompagnement"]
    now = consolidation.national_row["taux_accompagnement"]
    assert line[1:] == [_percent(older), _percent(now), _points(now - older)]
    assert line[3].endswith(f"{NBSP}pt") and line[3][0] in "+\u2212"


def test_the_context_gives_every_figure_already_in_french(demo_data):
    consolidation = _consolidation("dihal@demo.test")
    context = report_context(consolidation=consolidation)
    assert set(context) == set(report_keys())
    assert re.fullmatch(r"\d\u202f\d{3}", context["national"]["nb_menages_rencontres"])
    assert re.fullmatch(r"\d{2},\d\u00a0%", context["national"]["taux_accompagnement"])
    # Euros as the page writes them: cents only when there are some.
    credits = consolidation.national_row["credits_consommes"]
    assert context["national"]["credits_consommes"] == euros(round(float(credits), 2))
    assert re.fullmatch(
        r"\d\u202f\d{3}\u202f\d{3}(,\d{2})?\u00a0€", context["national"]["credits_consommes"]
    )
    assert [row["cle"] for row in context["indicateurs"]] == [
        "menages_par_jour",
        "taux_accompagnement",
        "taux_resorption",
    ]
    assert context["procedures"][0]["evolution"].startswith(("+", MINUS))
    assert not any("-" in row["evolution"] for row in context["procedures"])
    assert context["comparaison"]["campagnes"] == ["Bilan d'étape 2021", "Bilan d'étape 2022"]
    assert context["comparaison"]["evolution"] == (
        "Évolution (Bilan d'étape 2021 → Bilan d'étape 2022)"
    )
    # The page, its charts and the report write a figure the same way.
    page = {figure.key: figure.text for figure in key_figures(consolidation)}
    for key, text in page.items():
        assert context["national"][key] == text, key
    # The N / N-1 inputs stay in the procedures' table, not among the key figures.
    assert "nb_assignations_n" not in {row["cle"] for row in context["chiffres_cles"]}


def test_a_prefecture_report_shows_only_its_territory(demo_accounts):
    seeded_answer("Bilan d'étape 2021", "38")
    seeded_answer("Bilan d'étape 2021", "93")
    consolidation = _consolidation("prefecture38@demo.test", 2021)
    data = consolidation_docx(consolidation=consolidation)
    text = all_text(data)
    tables = _tables(data)
    assert "Synthèse — Bilan d'étape 2021" in text and "Synthèse nationale" not in text
    assert "Isère (38)" in text
    departements = _table(tables, first="Département")
    assert [row[0] for row in departements[1:]] == ["Isère (38)"]
    assert not [table for table in tables if table[0][0] == "Région"]  # no table by region
    isere = consolidation.by_territory.iloc[0]
    assert departements[1][2] == _integer(isere["nb_menages_rencontres"])
    for name in Territory.objects.exclude(code="38").values_list("name", flat=True):
        assert not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), name


def test_no_household_name_reaches_a_report(demo_households):
    for email in ("dihal@demo.test", "prefecture38@demo.test"):
        for year in (2021, 2022):
            text = all_text(consolidation_docx(consolidation=_consolidation(email, year)))
            found = [
                name for name in DEMO_HOUSEHOLD_NAMES if re.search(rf"\b{re.escape(name)}\b", text)
            ]
            assert not found, (email, year, found)


# --- The shipped template -------------------------------------------------------------------


def test_the_committed_report_template_is_what_the_script_builds(tmp_path):
    built = build_report(tmp_path)
    with zipfile.ZipFile(built) as fresh, zipfile.ZipFile(REPORT_TEMPLATE) as kept:
        for name in ("word/document.xml", "word/footer1.xml", "docProps/core.xml"):
            assert fresh.read(name) == kept.read(name), name


def test_the_report_template_passes_the_checks_of_an_uploaded_one():
    check = template_check(
        data=REPORT_TEMPLATE.read_bytes(),
        filename="rapport-consolide.docx",
        known_keys=report_keys(),
        context=sample_report_context(),
    )
    assert check.ok and not check.unknown_variables, (check.errors, check.unknown_variables)
    assert "Synthèse nationale — Campagne d'exemple" in all_text(check.preview)


# --- Editors replace the report's template ----------------------------------------------------


@pytest.fixture
def editor(login, demo_data_once):
    return login("dihal@demo.test")


def test_a_report_template_is_uploaded_previewed_and_put_in_service(editor, bilan_form):
    page = editor.get(f"/admin/modeles-word/formulaire/{bilan_form.pk}/")
    assert 'id="rapport"' in page.content.decode() and page.context["report"] is not None

    template = docx_bytes(
        "Rapport maison : {{ national.nb_menages_rencontres }} ménages — {{ perimetre }}",
        "{% for r in regions %}{{ r.nom }} ; {% endfor %}",
        "Clé du formulaire : {{ nb_menages_rencontres }}",
    )
    response = _upload(editor, bilan_form, template)
    assert response.status_code == 200
    version = WordTemplate.objects.get(form=bilan_form)
    assert (version.purpose, version.number, version.is_active) == ("rapport", 1, False)
    # A report reads the report's variables, not the form's keys.
    assert version.unknown_variables == ["nb_menages_rencontres"]
    assert response.context["report"]["new_version"] == version

    preview = all_text(editor.get(f"/admin/modeles-word/version/{version.pk}/apercu/").content)
    assert "Rapport maison : 560 ménages — Exemple (3 territoires)" in preview

    consolidation = _consolidation("dihal@demo.test")
    assert "Synthèse nationale" in all_text(consolidation_docx(consolidation=consolidation))
    activated = editor.post(f"/admin/modeles-word/version/{version.pk}/activer/")
    assert activated.status_code == 302 and activated["Location"].endswith("#rapport")
    met = _integer(consolidation.national_row["nb_menages_rencontres"])
    text = all_text(consolidation_docx(consolidation=consolidation))
    assert f"Rapport maison : {met} ménages — France entière (26 territoires)" in text
    assert "Synthèse nationale" not in text
    # The answers' documents keep their own template.
    assert active_template(form=bilan_form).version is None
    current = editor.get(f"/admin/modeles-word/formulaire/{bilan_form.pk}/rapport/modele/")
    assert current.content == template

    # A document template in service alongside: each purpose has its own active version.
    editor.post(
        f"/admin/modeles-word/formulaire/{bilan_form.pk}/",
        {"file": SimpleUploadedFile("doc.docx", docx_bytes("{{ organisation }}"), DOCX)},
    )
    document = WordTemplate.objects.get(form=bilan_form, purpose=TemplatePurpose.DOCUMENT)
    assert document.number == 1
    editor.post(f"/admin/modeles-word/version/{document.pk}/activer/")
    assert WordTemplate.objects.filter(form=bilan_form, is_active=True).count() == 2

    # Back to the shipped report; the document template stays in service.
    editor.post(f"/admin/modeles-word/formulaire/{bilan_form.pk}/rapport/modele-par-defaut/")
    assert list(WordTemplate.objects.filter(is_active=True)) == [document]
    assert "Synthèse nationale" in all_text(consolidation_docx(consolidation=consolidation))


@pytest.mark.parametrize(
    "data",
    [
        docx_bytes("{{ cycler.__init__.__globals__ }}"),
        docx_bytes("{{ national.__class__.__mro__ }}"),
        docx_bytes("{% for x in %}"),
    ],
)
def test_a_hostile_report_template_is_refused_in_french(editor, bilan_form, data):
    response = _upload(editor, bilan_form, data, "hostile.docx")
    assert response.status_code == 400
    errors = response.context["upload"].errors["file"]
    assert errors and all(
        error.startswith(("Le modèle est refusé", "Erreur de syntaxe")) for error in errors
    )
    assert 'id="erreurs-modele-rapport"' in response.content.decode()
    assert not WordTemplate.objects.exists()


def test_a_household_form_has_no_report(editor):
    form = Form.objects.get(slug="diagnostic-social-et-financier")
    page = editor.get(f"/admin/modeles-word/formulaire/{form.pk}/")
    assert page.status_code == 200 and page.context["report"] is None
    assert "Rapport consolidé" not in page.content.decode()
    assert editor.get(f"/admin/modeles-word/formulaire/{form.pk}/rapport/").status_code == 404
    response = _upload(editor, form, docx_bytes("{{ campagne }}"))
    assert response.status_code == 404 and not WordTemplate.objects.exists()
    index = editor.get("/admin/modeles-word/").context["rows"]
    reports = {row["form"].slug: row["report"] for row in index}
    assert reports["diagnostic-social-et-financier"] == ""
    assert reports["bilan-d-etape"] == "modèle fourni avec le portail"


@pytest.mark.parametrize("email", ["prefecture38@demo.test", "operateur38a@demo.test"])
def test_only_editors_reach_the_report_templates(login, bilan_form, email):
    client = login(email)
    response = _upload(client, bilan_form, docx_bytes("{{ campagne }}"))
    assert response.status_code == 403
    url = f"/admin/modeles-word/formulaire/{bilan_form.pk}/rapport/modele/"
    assert client.get(url).status_code == 403
    assert not WordTemplate.objects.exists()
