"""The compiled path (documents.rendering.compiled) makes the documents plain docxtpl makes:
same text in the body, tables, headers, footers and properties, for every shipped template and
for answers that try to break the XML; and it keeps the sandbox, the deadline and the fallback."""

from __future__ import annotations

import base64
import io
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.shared import Pt
from docxtpl import DocxTemplate, Listing, RichText
from jinja2.exceptions import SecurityError
from lxml import etree

from documents.rendering import compiled, compiled_source
from documents.rendering.compiled import compiled_template, render_docx_fast
from documents.rendering.compiled_source import NeedsPlainDocxtpl
from documents.rendering.context import answers_context
from documents.rendering.engine import render_docx_plain
from documents.rendering.isolation import render_docx
from documents.rendering.sandbox import RenderLimitExceeded, RenderLimits
from forms_app.form_builder import input_items
from forms_app.models import FormVersion

DEFAULT_TEMPLATES = sorted(Path(settings.BASE_DIR, "documents", "default_templates").glob("*.docx"))

# A 1×1 PNG: enough for a drawing (and its wp:docPr id) in a template.
PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
# Answer text that tries to break the XML or the layout of a document.
TRICKY_TEXT = "Dupont <b> & Fils </w:t></w:r><w:r><w:t>« x » \"y\" 'z' {{ 7*7 }}\nligne 2\tcol"
META_VALUES = {
    "formulaire": "Bilan d'étape",
    "version_formulaire": 2,
    "campagne": "Bilan d'étape 2022",
    "date_limite": "8 juillet 2022",
    "organisation": "Préfecture de l'Isère & co <test>",
    "territoire": "Isère",
    "departement": "38",
    "region": "Auvergne-Rhône-Alpes",
    "statut": "Transmise",
    "date_transmission": "1 juillet 2022",
    "menage": "M-38-0042",
    "date_document": "2 juillet 2022",
}
# name: (text of the text answers, rows of each repeatable group); "vide" answers nothing.
ANSWER_SETS = {
    "ordinaires": ("Texte de la réponse", 3),
    "piegees": (TRICKY_TEXT, 4),
    "longues": ("Ligne 1\nLigne 2", 200),
    "vides": ("", 0),
}


# --- Templates as editors write them in Word ----------------------------------------------


def _saved(document) -> bytes:
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _split_paragraph(container, *parts: str):
    """A paragraph cut into one run per part, as Word cuts a tag it spell-checked or
    formatted: ``("Nom : {{ ", "nom", " }}")``, the middle run in bold."""
    paragraph = container.add_paragraph()
    for index, part in enumerate(parts):
        paragraph.add_run(part).bold = index == 1
    return paragraph


def _group_table(document, header: list[str], cells: list[str], loop: str):
    """A table whose middle row repeats for each row of a group (``{%tr for %}``)."""
    table = document.add_table(rows=4, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr " + loop + " %}"
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"


def _header_footer(document, header: str, footer: str) -> None:
    section = document.sections[0]
    section.header.paragraphs[0].text = header
    _split_paragraph(section.footer, footer[:10], footer[10:])


def bilan_template() -> bytes:
    """Figures, a row per operator, paragraphs shown only when answered."""
    document = Document()
    document.core_properties.title = "{{ formulaire }} {{ annee }} — {{ territoire }}"
    document.core_properties.subject = "Bilan {{ brut.annee }}"
    document.core_properties.author = "{{ organisation }}"
    document.add_heading("{{ formulaire }} {{ annee }}", level=1)
    _split_paragraph(document, "Territoire : {{ ", "territoire", " }} ({{ departement }})")
    _split_paragraph(document, "Période du {{ periode_debut }} au ", "{{ periode_fin }}")
    _split_paragraph(document, "Service rédacteur : {", "{ redacteur_service }", "}")
    _group_table(
        document, ["Opérateur", "Type"], ["{{ op.nom }}", "{{ op.type }}"], "for op in operateurs"
    )
    document.add_paragraph("ETP financés : {{ etp_finances }} ; pourvus : {{ etp_pourvus }}")
    document.add_paragraph("Crédits : {{ credits_consommes }} ; stades : {{ stades_couverts }}")
    table = document.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    figures = [
        ("Ménages rencontrés", "{{ nb_menages_rencontres }}"),
        ("Jours d'intervention", "{{ nb_jours_intervention }}"),
        ("Diagnostics", "{{ nb_diagnostics }} (dont {{ nb_dsf or 0 }} DSF)"),
    ]
    for row, (label, tag) in zip(table.rows, figures, strict=True):
        row.cells[0].text, row.cells[1].text = label, tag
    for text in ("{%p if nb_dsf %}", "Des DSF ont été réalisés.", "{%p else %}"):
        document.add_paragraph(text)
    document.add_paragraph("Aucun DSF.")
    document.add_paragraph("{%p endif %}")
    for number in range(1, 13):
        paragraph = document.add_paragraph(f"Paragraphe {number} : texte fixe du modèle.")
        paragraph.runs[0].font.size = Pt(11)
    document.add_paragraph("Transmis le {{ date_transmission }} ; {{ statut }}.")
    document.add_paragraph("{{ champ_inconnu }}{{ brut.champ_inconnu }}")
    _header_footer(
        document, "{{ organisation }} — {{ campagne }}", "Document du {{ date_document }}"
    )
    return _saved(document)


def contrat_template() -> bytes:
    """The household, one row per engagement, filtered loops, signatures."""
    document = Document()
    document.core_properties.title = "Contrat d'engagement {{ menage }}"
    document.core_properties.comments = "{{ referent }}"
    document.add_heading("Contrat d'engagement", level=1)
    _split_paragraph(document, "Ménage : {{ prenom }} ", "{{ nom }}")
    document.add_paragraph("Référent : {{ referent }}, signé le {{ date_signature }}")
    document.add_paragraph("Stade : {{ stade }} ; dette : {{ montant_dette }}")
    for text in ("{%p if echeance %}", "Jusqu'au {{ echeance }}.", "{%p endif %}"):
        document.add_paragraph(text)
    keys = ["demarche", "objectif", "porteur", "modalite", "organisme_oriente", "echeance"]
    _group_table(document, keys, ["{{ e." + key + " }}" for key in keys], "for e in engagements")
    document.add_paragraph("{%p for e in engagements if e.statut == 'Réalisée' %}")
    document.add_paragraph("Réalisée : {{ loop.index }}. {{ e.demarche }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("Signatures : {{ signature_menage }}, {{ signature_operateur }}")
    document.add_paragraph("Pièce : {{ contrat_signe or 'aucune' }} ; {{ brut.montant_dette }}")
    _header_footer(document, "Équipe mobile — {{ organisation }}", "Ménage {{ menage }}")
    return _saved(document)


def table_features_template() -> bytes:
    """docxtpl's constructs that change a row's cells (``{%tc %}``, ``hm``, ``vm``,
    ``colspan``, ``cellbg``), run tags, comments, whitespace control and pictures."""
    document = Document()
    table = document.add_table(rows=2, cols=3)
    table.rows[0].cells[0].text = "Démarches"
    table.rows[0].cells[1].text = "{%tc for e in engagements %}"
    table.rows[0].cells[2].text = "{{ e.objectif }}{%tc endfor %}"
    table.rows[1].cells[0].text = "{% colspan 2 %}Fusion"
    table.rows[1].cells[1].text = "{% cellbg 'FF0000' %}{{ nom }}"
    merged = document.add_table(rows=4, cols=2)
    merged.rows[0].cells[0].text = "{%tr for e in engagements %}"
    merged.rows[1].cells[0].text = "{% vm %}{{ nom }}"
    merged.rows[1].cells[1].text = "{{ e.statut }}"
    merged.rows[2].cells[0].text = "{%tr endfor %}"
    merged.rows[3].cells[0].text = "{%tc for e in engagements %}"
    merged.rows[3].cells[1].text = "{% hm %}{{ e.porteur }}{%tc endfor %}"
    _split_paragraph(document, "Texte {%r if nom %}", "{{ nom }}", "{%r endif %} fin")
    document.add_paragraph("{#p un commentaire du modèle #}")
    document.add_paragraph("Avant {%- if nom %} collé {%- endif %} après")
    document.add_picture(io.BytesIO(PIXEL_PNG))
    document.add_paragraph("{%p for e in engagements %}")
    document.add_picture(io.BytesIO(PIXEL_PNG))
    document.add_paragraph("{%p endfor %}")
    return _saved(document)


def misplaced_tags_template() -> bytes:
    """An ``{% if %}`` opened in a paragraph and closed in a table cell: the rendering is no
    longer well-formed XML when the condition is false, and docxtpl's parser recovers."""
    document = Document()
    document.add_paragraph("Début {% if nom == 'jamais' %}caché")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "fin {% endif %} {{ nom }}"
    document.add_paragraph("Suite : {{ referent }}")
    return _saved(document)


def footnotes_template(footnote: str) -> bytes:
    """A document with a footnotes part (separators, as Word writes them, and one note)."""
    document = Document()
    document.add_paragraph("Corps : {{ nom }}")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    blob = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<w:footnotes xmlns:w="{w}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        f'</w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>{footnote}</w:t></w:r></w:p>'
        "</w:footnote></w:footnotes>"
    ).encode()
    part = Part(
        PackURI("/word/footnotes.xml"), compiled.FOOTNOTES_TYPE, blob, document.part.package
    )
    document.part.relate_to(part, RT.FOOTNOTES)
    return _saved(document)


def one_paragraph_template(body: str, *, header: str = "", title: str = "") -> bytes:
    document = Document()
    document.add_paragraph(body)
    document.sections[0].header.paragraphs[0].text = header
    document.core_properties.title = title
    return _saved(document)


REPRESENTATIVE_TEMPLATES = {
    "bilan": (bilan_template, "bilan-d-etape"),
    "contrat": (contrat_template, "contrat-d-engagement"),
    "tableaux": (table_features_template, "contrat-d-engagement"),
    "balises-mal-placees": (misplaced_tags_template, "contrat-d-engagement"),
}


# --- Answers and contexts -------------------------------------------------------------------


def _answer(kind: str, value: dict[str, Any], text: str, index: int) -> Any:
    if kind in {"short_text", "long_text"}:
        return f"{text} {index}" if index and text else text
    if kind == "choice":
        return value["choices"][index % len(value["choices"])]["value"]
    if kind == "multi_choice":
        return [choice["value"] for choice in value["choices"][:2]]
    return {
        "integer": 3 + index,
        "decimal": "1.50",
        "money": "117600.00",
        "percent": "62.5",
        "date": "2021-06-30",
        "yes_no": index % 2 == 0,
        "email": "contact@example.gouv.fr",
        "phone": "01 23 45 67 89",
        "file": {"name": f"{text}.pdf"},
    }[kind]


def stored_answers(schema: list[dict], *, text: str, rows: int) -> dict[str, Any]:
    """Answers to every field of ``schema`` as a submission stores them; no answer at all
    when ``text`` is empty."""
    if not text:
        return {}
    data: dict[str, Any] = {}
    for item in input_items(schema):
        kind, value = item["type"], item["value"]
        if kind == "group":
            children = value["fields"]
            data[value["key"]] = [
                {
                    sub["value"]["key"]: _answer(sub["type"], sub["value"], text, i)
                    for sub in children
                }
                for i in range(rows)
            ]
        else:
            data[value["key"]] = _answer(kind, value, text, 0)
    return data


@pytest.fixture
def schemas(portal_content) -> dict[str, list[dict]]:
    """The seeded forms' schemas (their latest version), by slug."""
    return {
        version.form.slug: version.schema
        for version in FormVersion.objects.select_related("form").order_by("form", "-number")
    }


def context_for(schema: list[dict], answers: str) -> dict[str, Any]:
    text, rows = ANSWER_SETS[answers]
    context = answers_context(schema=schema, data=stored_answers(schema, text=text, rows=rows))
    context.update(META_VALUES)
    return context


# --- Reading documents back --------------------------------------------------------------


def document_text(data: bytes) -> dict[str, Any]:
    """What a reader sees: the body's paragraphs and table cells in order, every header and
    footer, the core properties."""
    document = Document(io.BytesIO(data))

    def blocks(container) -> list[str]:
        texts = []
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        texts.append(["cellule", *blocks(cell)])
            else:
                texts.append(block.text)
        return texts

    parts = {"corps": blocks(document)}
    for number, section in enumerate(document.sections):
        for name in ("header", "footer", "first_page_header", "even_page_footer"):
            parts[f"{name}-{number}"] = blocks(getattr(section, name))
    properties = document.core_properties
    parts["proprietes"] = {
        name: getattr(properties, name)
        for name in ("author", "comments", "identifier", "language", "subject", "title")
    }
    return parts


def assert_same_document(
    template: bytes, context: dict[str, Any], *, label: str = ""
) -> bytes | None:
    """The fast path's document reads as plain docxtpl's and is a sound zip of XML parts;
    or both fail alike."""
    try:
        reference = render_docx_plain(template=template, context=context)
    except Exception as exc:  # noqa: BLE001 — the fast path must fail the same way
        with pytest.raises(type(exc)):
            render_docx_fast(template=template, context=context)
        return None
    produced = render_docx_fast(template=template, context=context)
    assert document_text(produced) == document_text(reference), label
    with (
        zipfile.ZipFile(io.BytesIO(produced)) as package,
        zipfile.ZipFile(io.BytesIO(reference)) as expected,
    ):
        assert package.testzip() is None
        assert package.namelist() == expected.namelist()
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):  # the same XML, whatever its serialisation
                same = canonical(package.read(name)) == canonical(expected.read(name))
                assert same, (label, name)
    return produced


def canonical(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n")


# --- Same documents as plain docxtpl ---------------------------------------------------------


# Each test renders every answer set: the seeded forms take a while to load.


@pytest.mark.skipif(not DEFAULT_TEMPLATES, reason="no default template shipped yet")
@pytest.mark.parametrize("path", DEFAULT_TEMPLATES, ids=lambda path: path.stem)
def test_default_templates_render_as_plain_docxtpl(schemas, path):
    schema = schemas.get(path.stem) or next(iter(schemas.values()))
    for answers in ANSWER_SETS:
        assert_same_document(path.read_bytes(), context_for(schema, answers), label=answers)


@pytest.mark.parametrize("name", REPRESENTATIVE_TEMPLATES)
def test_representative_templates_render_as_plain_docxtpl(schemas, name):
    build, slug = REPRESENTATIVE_TEMPLATES[name]
    for answers in ANSWER_SETS:
        assert_same_document(build(), context_for(schemas[slug], answers), label=answers)


@pytest.mark.parametrize("name", REPRESENTATIVE_TEMPLATES)
def test_empty_context_renders_as_plain_docxtpl(name):
    assert_same_document(REPRESENTATIVE_TEMPLATES[name][0](), {})


def test_tricky_answers_come_out_as_typed(schemas):
    context = context_for(schemas["contrat-d-engagement"], "piegees")
    text = document_text(assert_same_document(contrat_template(), context))
    body = "\n".join(line for line in text["corps"] if isinstance(line, str))
    assert "Ménage : " + TRICKY_TEXT + " " + TRICKY_TEXT in body


def test_static_footnotes_are_copied_and_tagged_ones_fall_back(schemas):
    context = context_for(schemas["contrat-d-engagement"], "piegees")
    assert_same_document(footnotes_template("Note fixe"), context)
    tagged = footnotes_template("Note {{ nom }}")
    with pytest.raises(NeedsPlainDocxtpl):
        render_docx_fast(template=tagged, context=context)
    assert render_docx(template=tagged, context=context)


@pytest.mark.parametrize(
    ("body", "context"),
    [
        ("Objet : {{ objet.nom }} ({{ objet }})", {"objet": SimpleNamespace(nom="Dupont & <b>")}),
        ("Balisage : {{ '</w:t></w:r><w:r><w:t>'|safe }} {{ nom }}", {"nom": "a < b"}),
        ("Coupé : {{ '</w:t></w:r></w:p><w:tbl>'|safe }} {{ nom }}", {"nom": "a < b"}),
    ],
    ids=["objet", "safe", "safe-mal-forme"],
)
def test_objects_and_markup_made_by_the_template_render_as_plain_docxtpl(body, context):
    assert_same_document(one_paragraph_template(body), context)


# --- What is compiled, and when it is reused ---------------------------------------------------


def test_a_template_is_compiled_once_and_tables_are_fixed_only_when_needed():
    template = contrat_template()
    compiled = compiled_template(template)
    assert compiled_template(template) is compiled
    # Rows repeat whole: fix_tables cannot change anything.
    assert not compiled.body_needs_docxtpl_fixes
    assert compiled_template(table_features_template()).body_needs_docxtpl_fixes
    assert compiled_template(misplaced_tags_template()).body_needs_docxtpl_fixes


def test_tables_whose_grid_docxtpl_would_change_are_detected():
    assert compiled_source.tables_keep_their_grid(
        compiled_template(bilan_template())._body.part.source
    )
    for source in (
        "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>"
        "{% for x in y %}<w:tr><w:tc/><w:tc></w:tc></w:tr>{% endfor %}</w:tbl>",
        "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc></w:tc><w:tc></w:tc></w:tr></w:tbl>",
        "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid><w:tr>{% if a %}<w:tc></w:tc>{% endif %}"
        "</w:tr></w:tbl>",
    ):
        assert not compiled_source.tables_keep_their_grid(source)


@pytest.mark.parametrize(
    "xml",
    [
        '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr>'
        "<w:t>a\tb\nc\ad\fe</w:t></w:r><w:r><w:t>fixe</w:t></w:r></w:p><w:p/><w:p>\n</w:p>",
        '<w:p w:rsidR="1"><w:r><w:t xml:space="preserve">x\n</w:t><w:tab/><w:t>\t</w:t></w:r>'
        "<w:hyperlink><w:r><w:t>\a</w:t></w:r></w:hyperlink></w:p>",
        "<w:body>\n<w:tbl><w:tr><w:tc><w:p><w:r><w:t>\f</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
    ],
)
def test_resolve_listing_is_docxtpls(xml):
    assert compiled_source.resolve_listing(xml) == DocxTemplate.resolve_listing(None, xml)


# --- Objects only docxtpl renders -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [RichText("gras", bold=True), Listing("a\nb")], ids=["richtext", "listing"]
)
def test_docxtpl_objects_fall_back_to_plain_docxtpl(value):
    template = one_paragraph_template("Valeur : {{r valeur }} {{ valeur }}")
    context = {"valeur": value, "liste": [{"x": value}]}
    with pytest.raises(NeedsPlainDocxtpl):
        render_docx_fast(template=template, context=context)
    produced = render_docx(template=template, context=context)
    assert document_text(produced) == document_text(
        render_docx_plain(template=template, context=context)
    )


# --- The sandbox and its limits hold on this path --------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda tag: one_paragraph_template(tag),
        lambda tag: one_paragraph_template("x", header=tag),
        lambda tag: one_paragraph_template("x", title=tag),
        lambda tag: one_paragraph_template("{{ ''.__class__.__mro__[1].__subclasses__() }}"),
    ],
    ids=["corps", "en-tete", "proprietes", "sous-classes"],
)
def test_hostile_templates_raise_security_error(build, tmp_path):
    witness = tmp_path / "pwned"
    template = build("{{ cycler.__init__.__globals__.os.system('touch " + str(witness) + "') }}")
    with pytest.raises(SecurityError):
        render_docx_fast(template=template, context={})
    assert not witness.exists()


def test_deadline_stops_a_long_loop():
    template = one_paragraph_template(
        "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}"
    )
    started = time.monotonic()
    with pytest.raises(RenderLimitExceeded):
        render_docx_fast(template=template, context={}, limits=RenderLimits(seconds=0.5))
    assert time.monotonic() - started < 5
