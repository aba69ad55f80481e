"""The default Word templates shipped in documents/default_templates: built by their script,
they use only their form's keys and the context's meta keys, and every demo answer renders
into a document that reads in French (dates in words, amounts in euros, labels of choices)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from docx import Document
from docxtpl import DocxTemplate
from jinja2 import nodes

from documents.default_templates.build import TEMPLATES, build_all
from documents.rendering.context import META_KEYS, answers_context, submission_context
from documents.rendering.engine import render_docx_plain
from documents.rendering.isolation import render_docx
from documents.rendering.sandbox import PortalSandbox
from documents.rendering.template_checks.check import template_check
from forms_app.models import FormVersion, Submission
from portal.models import Organisation
from tests.factories import HouseholdFactory, household_document, seeded_answer

TEMPLATES_DIR = Path(settings.BASE_DIR) / "documents" / "default_templates"
CAMPAIGN_FORMS = ("lettre-de-prefiguration", "bilan-d-etape")
HOUSEHOLD_FORMS = (
    "diagnostic-social-et-financier",
    "contrat-d-engagement",
    "veille-sociale-post-intervention",
)
# Per form: answers each document must show as the context words them, and the sub-keys
# of repeatable groups whose every row must show.
SHOWN_KEYS = {
    "lettre-de-prefiguration": (
        "signataire_prefet",
        "date_signature",
        "lettre_signee_pdf",
        "q1_mode_creation",
    ),
    "bilan-d-etape": (
        "redacteur_service",
        "periode_debut",
        "credits_consommes",
        "nb_menages_rencontres",
        "nb_assignations_n",
        "nb_assignations_n1",
    ),
    "diagnostic-social-et-financier": (
        "menage",
        "redacteur_nom",
        "date_entretien",
        "montant_dette",
        "stade",
    ),
    "contrat-d-engagement": ("menage", "referent", "date_signature", "montant_dette"),
    "veille-sociale-post-intervention": ("menage", "date_dernier_echange", "issue"),
}
SHOWN_ROWS = {
    "lettre-de-prefiguration": ("q2_operateurs_pressentis", ("nom", "type")),
    "bilan-d-etape": ("operateurs", ("nom", "type")),
    "contrat-d-engagement": ("engagements", ("demarche", "objectif", "echeance", "statut")),
    "veille-sociale-post-intervention": ("engagements", ("demarche", "statut")),
}
MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
DATE_IN_WORDS = re.compile(rf"\b(1er|\d{{1,2}}) ({MONTHS}) \d{{4}}\b")  # « 1er juillet 2021 »
AMOUNT_IN_EUROS = re.compile(r"\d,\d\d €")
RAW_LEFTOVERS = re.compile(r"\{\{|\{%|\bNone\b|\bTrue\b|\bFalse\b|\b\d{4}-\d\d-\d\d\b")


def template_bytes(slug: str) -> bytes:
    return (TEMPLATES_DIR / f"{slug}.docx").read_bytes()


def latest_version(slug: str) -> FormVersion:
    return FormVersion.objects.filter(form__slug=slug).order_by("-number").first()


def group_keys(version: FormVersion) -> dict[str, set[str]]:
    """Each repeatable group's key and its sub-keys."""
    return {
        item["value"]["key"]: {child["value"]["key"] for child in item["value"]["fields"]}
        for item in version.schema
        if item["type"] == "group"
    }


def template_ast(content: bytes) -> list[nodes.Template]:
    """The Jinja trees docxtpl renders: the body, then headers and footers."""
    template = DocxTemplate(io.BytesIO(content))
    template.init_docx()
    sources = [template.patch_xml(template.get_xml())]
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for _, part in template.get_headers_footers(uri):
            sources.append(template.patch_xml(template.get_part_xml(part)))
    environment = PortalSandbox()
    return [environment.parse(source) for source in sources]


def normalise(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def document_text(document) -> str:
    """Every paragraph of a document, table cells and footers included, spaces made plain."""
    lines: list[str] = []

    def walk(container) -> None:
        lines.extend(paragraph.text for paragraph in container.paragraphs)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    walk(document)
    for section in document.sections:
        walk(section.footer)
    return normalise("\n".join(lines))


def engagement_table(document):
    tables = [
        table
        for table in document.tables
        if [cell.text for cell in table.rows[0].cells][:3] == ["N°", "Démarche", "Objectif"]
    ]
    assert len(tables) == 1
    return tables[0]


def assert_reads_in_french(slug: str, context: dict, document) -> str:
    """The rendered document shows the form's main answers as the context words them, every
    row of its repeatable group, and no raw value; returns its text."""
    text = document_text(document)
    assert not RAW_LEFTOVERS.search(text), RAW_LEFTOVERS.search(text)
    assert "RÉPUBLIQUE" in text and normalise(context["organisation"]) in text
    for key in SHOWN_KEYS[slug]:
        if context[key]:
            assert normalise(context[key]) in text, key
    if slug in SHOWN_ROWS:
        group, sub_keys = SHOWN_ROWS[slug]
        for row in context[group]:
            for sub_key in sub_keys:
                assert normalise(row[sub_key]) in text, (group, sub_key)
    return text


def render(slug: str, context: dict) -> bytes:
    return render_docx(template=template_bytes(slug), context=context)


def rendered(slug: str, context: dict):
    """The document rendered from ``slug``'s template, opened with python-docx."""
    return Document(io.BytesIO(render(slug, context)))


# --- The files -------------------------------------------------------------------------------


def test_committed_templates_are_what_the_script_builds(tmp_path):
    built = build_all(tmp_path)
    assert [path.name for path in built] == [f"{slug}.docx" for slug in TEMPLATES]
    for path in built:
        with zipfile.ZipFile(path) as fresh, zipfile.ZipFile(TEMPLATES_DIR / path.name) as kept:
            for name in ("word/document.xml", "word/footer1.xml", "docProps/core.xml"):
                assert fresh.read(name) == kept.read(name), (path.name, name)


@pytest.mark.parametrize("slug", list(TEMPLATES))
def test_template_uses_only_its_form_keys_and_meta_keys(slug, portal_content):
    version = latest_version(slug)
    keys, groups = set(version.input_keys), group_keys(version)
    content = template_bytes(slug)
    variables = DocxTemplate(io.BytesIO(content)).get_undeclared_template_variables(
        jinja_env=PortalSandbox()
    )
    assert variables <= keys | META_KEYS, variables - keys - META_KEYS
    assert variables & keys, "the template shows none of its form's answers"
    for tree in template_ast(content):
        for node in tree.find_all(nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name == "brut":
                assert node.attr in keys, node.attr
        for loop in tree.find_all(nodes.For):
            assert isinstance(loop.iter, nodes.Name) and loop.iter.name in groups
            row = loop.target.name
            used = {
                node.attr
                for node in loop.find_all(nodes.Getattr)
                if isinstance(node.node, nodes.Name) and node.node.name == row
            }
            assert used <= groups[loop.iter.name], used - groups[loop.iter.name]
    assert Document(io.BytesIO(content)).core_properties.title == version.form.title


@pytest.mark.parametrize("slug", list(TEMPLATES))
def test_template_passes_the_checks_of_an_uploaded_one(slug, portal_content):
    """An editor may download a default template, adapt it and upload it back."""
    check = template_check(
        data=template_bytes(slug), schema=latest_version(slug).schema, filename=f"{slug}.docx"
    )
    assert check.ok and not check.unknown_variables, (check.errors, check.unknown_variables)


# --- Rendering the demo answers -----------------------------------------------------------------


@pytest.mark.django_db
def test_every_demo_campaign_answer_renders_in_french(demo_data):
    for slug in CAMPAIGN_FORMS:
        submissions = Submission.objects.filter(form_version__form__slug=slug).select_related(
            "form_version__form", "campaign", "territory", "organisation"
        )
        assert submissions.count() >= 26
        for submission in submissions:
            context = submission_context(submission=submission)
            document = rendered(slug, context)
            text = assert_reads_in_french(slug, context, document)
            assert DATE_IN_WORDS.search(text)
            if submission.data.get("annee"):  # the raw year: « 2 021 » once formatted
                assert f"Bilan d'étape {submission.data['annee']}" in text
            if submission.data.get("credits_consommes"):
                assert AMOUNT_IN_EUROS.search(text)
                assert submission.data["credits_consommes"] not in text
            assert document.core_properties.title == context["formulaire"]


@pytest.mark.django_db
def test_every_demo_household_document_renders_in_french(demo_households):
    for slug in HOUSEHOLD_FORMS:
        submissions = Submission.objects.filter(form_version__form__slug=slug).select_related(
            "form_version__form", "household", "territory", "organisation"
        )
        assert submissions.exists()
        for submission in submissions:
            context = submission_context(submission=submission)
            document = rendered(slug, context)
            text = assert_reads_in_french(slug, context, document)
            assert context["menage"] and DATE_IN_WORDS.search(text)
            if slug != "veille-sociale-post-intervention" and submission.data.get("montant_dette"):
                assert AMOUNT_IN_EUROS.search(text)
                assert submission.data["montant_dette"] not in text
            if slug == "contrat-d-engagement":
                rows = engagement_table(document).rows
                assert len(rows) == len(context["engagements"]) + 1


def meta_context(version: FormVersion, data: dict, **meta: str) -> dict:
    """The context of ``data`` on ``version``, its meta keys empty unless given."""
    context = answers_context(schema=version.schema, data=data)
    context.update({key: "" for key in META_KEYS - {"brut"}})
    context.update(formulaire=version.form.title, **meta)
    return context


@pytest.mark.parametrize("slug", list(TEMPLATES))
def test_an_empty_answer_renders_on_both_paths(slug, portal_content):
    """A draft with no answer yet: computed figures (ratios, totals, evolutions) stay quiet."""
    context = meta_context(latest_version(slug), {}, organisation="Organisation")
    for renderer in (render_docx, render_docx_plain):
        document = Document(io.BytesIO(renderer(template=template_bytes(slug), context=context)))
        text = document_text(document)
        assert not RAW_LEFTOVERS.search(text), RAW_LEFTOVERS.search(text)
        assert "RÉPUBLIQUE" in text and "Organisation" in text


def contract_context(version: FormVersion, engagements: int) -> dict:
    data = {
        "referent": "Léa Moreau",
        "date_signature": "2021-05-21",
        "nom": "Exemple",
        "prenom": "Camille",
        "stade": "assignation",
        "montant_dette": "117600",
        "engagements": [
            {
                "demarche": "fsl",
                "objectif": f"Objectif n° {number}",
                "porteur": "menage",
                "modalite": "orientation_droit_commun",
                "organisme_oriente": "CCAS & <CAF>",
                "echeance": f"2021-06-{number:02d}",
                "statut": "a_faire",
            }
            for number in range(1, engagements + 1)
        ],
        "signature_menage": True,
        "signature_operateur": False,
    }
    return meta_context(
        version, data, organisation="Opérateur", menage="38-ABCDEF", territoire="Isère"
    )


@pytest.mark.parametrize("renderer", [render_docx, render_docx_plain])
def test_a_contract_of_fifteen_engagements_renders_fifteen_rows(renderer, portal_content):
    context = contract_context(latest_version("contrat-d-engagement"), engagements=15)
    content = renderer(template=template_bytes("contrat-d-engagement"), context=context)
    document = Document(io.BytesIO(content))
    rows = engagement_table(document).rows
    assert len(rows) == 16
    for number, row in enumerate(rows[1:], start=1):
        cells = [normalise(cell.text) for cell in row.cells]
        assert cells[0] == str(number) and cells[2] == f"Objectif n° {number}"
        assert cells[1] == "Demande d'aide au FSL" and cells[3] == "Le ménage"
        assert cells[4] == "Orientation vers le droit commun (CCAS & <CAF>)"
        day = "1er" if number == 1 else str(number)  # « 1er juin », never « 1 juin »
        assert cells[5] == f"{day} juin 2021" and cells[6] == "À faire"
    text = document_text(document)
    assert "117 600,00 €" in text and "21 mai 2021" in text
    assert "Signé : Oui" in text and "Signé : Non" in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is absent")
@pytest.mark.django_db
def test_one_rendered_document_per_form_converts_to_pdf(demo_accounts, tmp_path):
    seeded_answer("Lettre de préfiguration", "38")
    seeded_answer("Bilan d'étape 2021", "38")
    operator = Organisation.objects.get(memberships__user__email="operateur38a@demo.test")
    household = HouseholdFactory(operator=operator)
    for slug in HOUSEHOLD_FORMS:
        household_document(household, slug=slug)
        household.refresh_from_db()
    documents = []
    for slug in TEMPLATES:
        submission = Submission.objects.filter(form_version__form__slug=slug).latest("id")
        path = tmp_path / f"{slug}.docx"
        path.write_bytes(render(slug, submission_context(submission=submission)))
        documents.append(path)
    subprocess.run(  # noqa: S603 - fixed arguments, our own files
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, documents),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    for path in documents:
        pdf = path.with_suffix(".pdf")
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), pdf.name
