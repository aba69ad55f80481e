"""Regenerate with `.venv/bin/python documents/default_templates/build.py`, then commit the
script and the five `<slug>.docx` beside it together.

Writes the portal's default Word templates, one per form of ``forms_app/content/forms.yaml``:
docxtpl templates (rendered by ``documents.engine.render_docx`` in the portal's sandbox) in the
State's official layout — A4, the « République française » block in text, the issuer (the
préfecture or the operator), title, date, the form's sections as headings, answers as
paragraphs and tables, repeatable groups as table rows, signature blocks and a numbered
footer. They use only the form's keys and the meta keys of ``documents.rendering`` (the
context gives every answer already in French: dates in words, amounts in euros, Oui/Non,
labels of choices); the raw values under ``brut`` serve only the computed figures.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

FONT = "Marianne"  # the State's typeface; Word and LibreOffice fall back on Arial
FALLBACK_FONT = "Arial"
BLUE_FRANCE = RGBColor(0x00, 0x00, 0x91)
GREY = RGBColor(0x66, 0x66, 0x66)
HEADER_FILL = "E3E3FD"
LABEL_FILL = "F6F6F6"
BORDER = "929292"
CONTENT_WIDTH = Cm(17)  # A4 (21 cm) less two margins of 2 cm
DASH = "—"
DIHAL_ADDRESS = (
    "Pôle national de prévention des expulsions locatives — DIHAL",
    "Délégation interministérielle à l'hébergement et à l'accès au logement",
    "Grande Arche de la Défense, paroi Sud",
    "92055 La Défense",
)
AUTHOR = "Portail des équipes mobiles de prévention des expulsions locatives"


# --- Jinja snippets ------------------------------------------------------------------------


def v(expression: str) -> str:
    """An answer as the context gives it (already in French)."""
    return "{{ " + expression + " }}"


def v_or_dash(expression: str) -> str:
    """An answer, or a dash when it is empty."""
    return "{{ " + expression + ' or "' + DASH + '" }}'


def total(keys: list[str]) -> str:
    """The sum of money answers, read from their raw values (empty counts as 0)."""
    items = ", ".join(f"brut.{key}" for key in keys)
    return "[" + items + '] | map("float") | sum'


def evolution(key: str) -> str:
    """Year N against N-1, in percent, signed; a dash when N-1 is unknown or 0."""
    n, n1 = f"brut.{key}_n", f"brut.{key}_n1"
    return (
        f"{{% if {n1}|int > 0 and {n} is not none %}}"
        f"{{% if {n}|int > {n1}|int %}}+{{% endif %}}"
        f"{{{{ (({n}|int - {n1}|int) * 100 / {n1}|int)|pourcentage }}}}"
        f"{{% else %}}{DASH}{{% endif %}}"
    )


# --- Building blocks -----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A line of a label / answer table; ``when`` (a Jinja test) keeps it only if true."""

    label: str
    value: str
    when: str | None = None


def ans(label: str, key: str) -> Row:
    """An answer's line, a dash when it is empty."""
    return Row(label, v_or_dash(key))


def opt(label: str, key: str) -> Row:
    """An optional answer's line, left out when it is empty."""
    return Row(label, v(key), when=key)


def _set_font(r_pr, name: str = FONT) -> None:
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        fonts.attrib.pop(attribute)
    for slot in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{slot}"), name)


def _styles(doc: DocumentObject) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    r_pr = defaults.find(qn("w:rPr"))
    _set_font(r_pr)
    r_pr.find(qn("w:lang")).set(qn("w:val"), "fr-FR")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.1
    for name, size, before in (("Title", 16, 6), ("Heading 1", 12, 12), ("Heading 2", 10.5, 8)):
        style = doc.styles[name]
        _set_font(style.element.get_or_add_rPr())
        style.font.size, style.font.bold, style.font.color.rgb = Pt(size), True, BLUE_FRANCE
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    title_p_pr = doc.styles["Title"].element.get_or_add_pPr()
    for border in title_p_pr.findall(qn("w:pBdr")):  # the default template underlines it
        title_p_pr.remove(border)


def _font_fallback(doc: DocumentObject) -> None:
    """Declares Marianne in the font table with Arial as its stand-in."""
    for part in doc.part.package.parts:
        if str(part.partname) == "/word/fontTable.xml":
            entry = (
                f'<w:font w:name="{FONT}"><w:altName w:val="{FALLBACK_FONT}"/>'
                '<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>'
            )
            part._blob = part.blob.replace(b"</w:fonts>", entry.encode() + b"</w:fonts>")


def _document(*, title: str, subject: str) -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(1.5), Cm(1.8)
    section.footer_distance = Cm(0.8)
    _styles(doc)
    _font_fallback(doc)
    package = doc.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package.rels.pop(r_id)  # python-docx's sample thumbnail of an English page
    properties = doc.core_properties
    # Static text only: docxtpl renders these through the autoescaping sandbox.
    properties.title, properties.subject, properties.author = title, subject, AUTHOR
    properties.language, properties.comments, properties.keywords = "fr-FR", "", ""
    properties.last_modified_by, properties.revision = AUTHOR, 1
    properties.created = properties.modified = datetime.datetime(2020, 12, 1)
    return doc


def _paragraph(
    container,
    text: str = "",
    *,
    label: str | None = None,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    color: RGBColor | None = None,
    align=None,
    after: float | None = None,
    style: str | None = None,
):
    paragraph = container.add_paragraph(style=style)
    if label:
        paragraph.add_run(f"{label}\u00a0: ").bold = True  # French spacing before the colon
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
    if align is not None:
        paragraph.alignment = align
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def _first_paragraph(cell, text: str = "", **options):
    """Writes into a cell's own empty paragraph, then adds the next ones."""
    paragraph = _paragraph(cell, text, **options)
    if len(cell.paragraphs) == 2 and not cell.paragraphs[0].text:
        cell._tc.remove(cell.paragraphs[0]._p)
    return paragraph


def _tag(container, tag: str) -> None:
    """A paragraph holding only a docxtpl paragraph tag (``{%p if … %}``)."""
    container.add_paragraph(tag)


def _element(tag: str, **attributes: str):
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _shade(cell, fill: str) -> None:
    cell._tc.get_or_add_tcPr().append(_element("w:shd", val="clear", color="auto", fill=fill))


def _table(doc, widths: list[float], *, bordered: bool = True):
    table = doc.add_table(rows=0, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    # Word wants tblPr's children in the schema's order: …, tblBorders, tblLayout, tblCellMar,
    # tblLook.
    layout = table._tbl.tblPr.find(qn("w:tblLayout"))
    if bordered:
        borders = _element("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            borders.append(_element(f"w:{side}", val="single", sz="4", space="0", color=BORDER))
        layout.addprevious(borders)
    margins = _element("w:tblCellMar")
    for side, twips in (("top", "28"), ("left", "85"), ("bottom", "28"), ("right", "85")):
        margins.append(_element(f"w:{side}", w=twips, type="dxa"))
    layout.addnext(margins)
    return table


def _add_row(table, texts, widths, *, header=False, bold=False, size=None, right_from=None):
    """A row of ``texts``; columns from ``right_from`` on are right-aligned (figures)."""
    row = table.add_row()
    row_properties = row._tr.get_or_add_trPr()
    row_properties.append(_element("w:cantSplit"))
    if header:  # repeated at the top of each page
        row_properties.append(_element("w:tblHeader"))
    for index, (cell, text, width) in enumerate(zip(row.cells, texts, widths, strict=True)):
        cell.width = Cm(width)
        paragraph = _first_paragraph(cell, text, bold=header or bold, size=size, after=0)
        if right_from is not None and index >= right_from:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if header:
            _shade(cell, HEADER_FILL)
    return row


def _tag_row(table, tag: str, widths: list[float]) -> None:
    """A row docxtpl replaces by its ``{%tr … %}`` tag."""
    _add_row(table, [tag] + [""] * (len(widths) - 1), widths)


def answers_table(doc, rows: list[Row], widths=(6.3, 10.7)) -> None:
    """Label / answer lines, the labels shaded."""
    widths = list(widths)
    table = _table(doc, widths)
    for row in rows:
        if row.when:
            _tag_row(table, "{%tr if " + row.when + " %}", widths)
        _shade(_add_row(table, [row.label, row.value], widths).cells[0], LABEL_FILL)
        if row.when:
            _tag_row(table, "{%tr endif %}", widths)
    _paragraph(doc, after=2)


def section(doc, heading: str, rows: list[Row], *, level: int = 1) -> None:
    """A heading of the form's section, then its answers as a label / answer table."""
    doc.add_heading(heading, level=level)
    answers_table(doc, rows)


def grid_table(
    doc, headers: list[str], rows: list[list[str]], widths: list[float], *, total=False
) -> None:
    """A fixed table of figures under a header row (counters, N / N-1); with ``total`` its
    last row is a total, in bold."""
    table = _table(doc, widths)
    _add_row(table, headers, widths, header=True, right_from=1)
    for index, texts in enumerate(rows):
        bold = total and index == len(rows) - 1
        _shade(_add_row(table, texts, widths, right_from=1, bold=bold).cells[0], LABEL_FILL)
    _paragraph(doc, after=2)


def rows_table(
    doc, headers: list[str], *, loop: str, cells: list[str], widths: list[float], size=None
) -> None:
    """A repeatable group: a header row, then one row per answer row (``{%tr for %}``)."""
    table = _table(doc, widths)
    _add_row(table, headers, widths, header=True, size=size)
    _tag_row(table, "{%tr for " + loop + " %}", widths)
    _add_row(table, cells, widths, size=size)
    _tag_row(table, "{%tr endfor %}", widths)
    _paragraph(doc, after=2)


def long_answer(doc, label: str, key: str, *, optional: bool = False) -> None:
    """A text answer as its own paragraph under a bold label (line breaks kept)."""
    if optional:
        _tag(doc, "{%p if " + key + " %}")
    _paragraph(doc, label, bold=True, after=1)
    _paragraph(doc, v(key) if optional else v_or_dash(key))
    if optional:
        _tag(doc, "{%p endif %}")


def header_block(doc, *, issuer: list[str], aside: list[str]) -> None:
    """The State's block in text (no image), the issuer under it; date or references aside."""
    widths = [9.0, 8.0]
    left, right = _table(doc, widths, bordered=False).add_row().cells
    left.width, right.width = Cm(widths[0]), Cm(widths[1])
    for line in ("RÉPUBLIQUE", "FRANÇAISE"):
        run = _first_paragraph(left, after=0).add_run(line)
        run.bold, run.font.small_caps, run.font.size = True, True, Pt(12)
    motto = _paragraph(left, after=8)
    for index, word in enumerate(("Liberté", "Égalité", "Fraternité")):
        run = motto.add_run(word)
        run.italic, run.font.size = True, Pt(9)
        if index < 2:
            run.add_break()
    for index, line in enumerate(issuer):
        _paragraph(left, line, bold=index == 0, size=10 if index == 0 else 9, after=0)
    for index, line in enumerate(aside):
        paragraph = _first_paragraph(right, line, size=9.5, after=0)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if index == 0:
            paragraph.paragraph_format.space_before = Pt(24)
    _paragraph(doc, after=6)


def title_block(doc, title: str, *subtitles: str) -> None:
    _paragraph(doc, title, style="Title", align=WD_ALIGN_PARAGRAPH.CENTER)
    for line in subtitles:
        _paragraph(doc, line, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=2)
    _paragraph(doc, after=4)


def signature_blocks(doc, blocks: list[tuple[list[str], list[str]]]) -> None:
    """Side by side signature blocks, each (lines above, lines below) the room to sign; a
    single block stands on the right. Two table rows keep the blocks level."""
    width = CONTENT_WIDTH.cm / 2
    if len(blocks) == 1:
        blocks = [([], []), blocks[0]]
    table = _table(doc, [width, width], bordered=False)
    above, below = table.add_row().cells, table.add_row().cells
    for index, (lines_above, lines_below) in enumerate(blocks):
        for number, line in enumerate(lines_above):
            _first_paragraph(above[index], line, bold=number == 0, size=None if number == 0 else 9)
        if lines_above or lines_below:
            _first_paragraph(below[index], after=36)
        for line in lines_below:
            _paragraph(below[index], line, size=8.5, color=GREY, after=0)
    for cell in (*above, *below):
        cell.width = Cm(width)
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.keep_with_next = True
    _paragraph(doc, after=0)  # Word wants a paragraph after a table


def _field(paragraph, instruction: str) -> None:
    """A field Word and LibreOffice compute (PAGE, NUMPAGES), in the footer's small grey."""
    run, r_pr, text = OxmlElement("w:r"), OxmlElement("w:rPr"), OxmlElement("w:t")
    r_pr.extend([_element("w:color", val="666666"), _element("w:sz", val="16")])
    text.text = "1"
    run.extend([r_pr, text])
    field = _element("w:fldSimple", instr=f" {instruction} ")
    field.append(run)
    paragraph._p.append(field)


def footer(doc, text: str, *, section: int = 0, width=CONTENT_WIDTH) -> None:
    """The footer: what the document is, then « Page n sur N » on the right (``width``:
    the section's width between its margins)."""
    footer_part = doc.sections[section].footer
    if section:
        footer_part.is_linked_to_previous = False  # its own tab stop, for its own width
    paragraph = footer_part.paragraphs[0]
    paragraph.style = doc.styles["Normal"]
    paragraph.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    for piece, field in ((text, None), ("\tPage ", "PAGE"), (" sur ", "NUMPAGES")):
        run = paragraph.add_run(piece)
        run.font.size, run.font.color.rgb = Pt(8), GREY
        if field:
            _field(paragraph, field)


# --- The five templates --------------------------------------------------------------------

PREFECTURE_ISSUER = [v("organisation"), f"{v('territoire')} ({v('departement')})"]
OPERATOR_ISSUER = [v("organisation"), "Équipe mobile de prévention des expulsions locatives"]
CAMPAIGN_FOOTER = f"{v('formulaire')} — {v('organisation')}"
HOUSEHOLD_FOOTER = f"{v('formulaire')} — ménage {v('menage')} — document confidentiel"
HOUSEHOLD_ASIDE = ["Le " + v("date_document"), "Référence du ménage\u00a0: " + v("menage")]
OPERATORS_TABLE = {
    "headers": ["Opérateur", "Type de structure"],
    "cells": [v("operateur.nom"), v("operateur.type")],
    "widths": [11.5, 5.5],
}


def _question(doc, heading: str, answers: list[tuple[str, str]], why: str | None) -> None:
    """One of annexe 2's questions: short answers as « label : answer », then the why."""
    doc.add_heading(heading, level=1)
    for label, key in answers:
        _paragraph(doc, v_or_dash(key), label=label)
    if why:
        _paragraph(doc, v(why))


def _letter_opening(doc) -> None:
    """Addressee, subject, reference and the opening of the préfet·e's letter."""
    for line in DIHAL_ADDRESS:  # where a window envelope shows it
        addressee = _paragraph(doc, line, bold=line == DIHAL_ADDRESS[0], after=0)
        addressee.paragraph_format.left_indent = Cm(9)
    _paragraph(doc, after=8)
    subject = "lettre de préfiguration de l'équipe mobile de prévention des expulsions locatives"
    _paragraph(doc, f"{subject} — {v('territoire')} ({v('departement')})", label="Objet", after=2)
    reference = "document de cadrage relatif aux équipes mobiles de prévention des expulsions"
    _paragraph(doc, f"{reference} locatives, décembre 2020 (annexe 2)", label="Référence")
    _paragraph(doc, after=4)
    _paragraph(doc, "Madame, Monsieur,")
    _paragraph(
        doc,
        "En réponse au document de cadrage cité en référence, je vous prie de trouver ci-dessous "
        "les modalités retenues ou envisagées pour le déploiement de l'équipe mobile de "
        "prévention des expulsions locatives dans le département.",
    )


def lettre_de_prefiguration() -> DocumentObject:
    """The préfet·e's letter to the Pôle national, answering annexe 2's six questions."""
    doc = _document(
        title="Lettre de préfiguration",
        subject="Déploiement de l'équipe mobile de prévention des expulsions locatives",
    )
    aside = ["Le " + v("date_signature or date_document")]
    header_block(doc, issuer=PREFECTURE_ISSUER, aside=aside)
    _letter_opening(doc)
    _question(
        doc,
        "1. Équipes existantes et mode de création",
        [
            ("Équipes mobiles déjà présentes", "q1_equipes_existantes"),
            ("Mode de création envisagé", "q1_mode_creation"),
        ],
        "q1_description",
    )
    _question(
        doc,
        "2. Nombre d'opérateurs",
        [("Nombre d'opérateurs envisagés", "q2_nb_operateurs")],
        None,
    )
    _tag(doc, "{%p if q2_operateurs_pressentis %}")
    _paragraph(doc, "Opérateurs pressentis\u00a0:", bold=True, after=2)
    rows_table(doc, loop="operateur in q2_operateurs_pressentis", **OPERATORS_TABLE)
    _tag(doc, "{%p endif %}")
    _paragraph(doc, v("q2_justification"))
    _question(
        doc, "3. Échelle territoriale d'intervention", [("Échelle envisagée", "q3_echelle")], None
    )
    _tag(doc, "{%p if q3_part_population_pct or q3_part_assignations_pct %}")
    _paragraph(doc, v_or_dash("q3_part_population_pct"), label="Part de la population couverte")
    _paragraph(doc, v_or_dash("q3_part_assignations_pct"), label="Part des assignations couverte")
    _tag(doc, "{%p endif %}")
    _paragraph(doc, v("q3_justification"))
    _question(
        doc,
        "4. Contacts avec les partenaires",
        [("Partenaires déjà contactés", "q4_partenaires_contactes")],
        "q4_etat",
    )
    _question(
        doc,
        "5. Stades de la procédure",
        [("Stades d'intervention envisagés", "q5_stades")],
        "q5_justification",
    )
    section(
        doc,
        "6. Ressources humaines",
        [
            ans("Nombre de personnes dans l'équipe", "q6_nb_personnes"),
            ans("Équivalents temps plein (ETP)", "q6_etp"),
            ans("Profils des intervenants", "q6_profils"),
            opt("Part du temps consacrée aux visites à domicile", "q6_part_temps_visites_pct"),
        ],
    )
    _paragraph(doc, v("q6_justification"))
    closing = (
        "Je vous prie d'agréer, Madame, Monsieur, l'expression de ma considération distinguée."
    )
    _paragraph(doc, closing, after=12).paragraph_format.keep_with_next = True
    signature_blocks(doc, [([v("signataire_prefet")], [])])
    _tag(doc, "{%p if lettre_signee_pdf %}")
    _paragraph(
        doc,
        "Exemplaire signé déposé sur le portail\u00a0: " + v("lettre_signee_pdf"),
        size=8.5,
        color=GREY,
    )
    _tag(doc, "{%p endif %}")
    footer(doc, CAMPAIGN_FOOTER)
    return doc


BILAN_ACTIVITY = [
    ("Ménages rencontrés", "nb_menages_rencontres"),
    ("Jours d'intervention de l'équipe", "nb_jours_intervention"),
    ("Diagnostics réalisés", "nb_diagnostics"),
    ("dont diagnostics sociaux et financiers (DSF)", "nb_dsf"),
    ("Ménages accompagnés", "nb_menages_accompagnes"),
    ("Bailleurs contactés", "nb_bailleurs_contactes"),
    ("Dispositifs d'apurement mobilisés", "nb_dispositifs_apurement"),
    ("Situations où l'impayé a été résorbé", "nb_impayes_resorbes"),
    ("Relogements accompagnés", "nb_relogements_accompagnes"),
    ("Orientations vers un dispositif d'hébergement", "nb_orientations_hebergement"),
]
BILAN_STAGES = [
    ("Commandement de payer (CDP)", "nb_menages_stade_cdp"),
    ("Assignation", "nb_menages_stade_assignation"),
    ("Commandement de quitter les lieux (CQL)", "nb_menages_stade_cql"),
    ("Réquisition ou concours de la force publique", "nb_menages_stade_rfp_cfp"),
]
BILAN_PROCEDURES = [
    ("Assignations", "nb_assignations"),
    ("Décisions de justice", "nb_decisions"),
    ("Commandements de quitter les lieux (CQL)", "nb_cql"),
    ("Réquisitions de la force publique (RFP)", "nb_rfp"),
    ("Concours de la force publique (CFP)", "nb_cfp"),
    ("Expulsions effectives", "nb_expulsions"),
]
MENAGES_PAR_JOUR = (
    "{% if brut.nb_jours_intervention|int > 0 %}{{ (brut.nb_menages_rencontres|int"
    " / brut.nb_jours_intervention|int)|nombre(1) }}{% else %}" + DASH + "{% endif %}"
)


def bilan_d_etape() -> DocumentObject:
    """The territory's yearly report: the scheme, its counters, N / N-1 procedure figures."""
    doc = _document(
        title="Bilan d'étape",
        subject="Bilan d'étape des équipes mobiles de prévention des expulsions locatives",
    )
    aside = ["Le " + v("date_document"), "à l'attention du", DIHAL_ADDRESS[0]]
    header_block(doc, issuer=PREFECTURE_ISSUER, aside=aside)
    title_block(
        doc,
        "Bilan d'étape {{ brut.annee or '' }}",  # the raw year: the formatted one reads 2 021
        "Équipe mobile de prévention des expulsions locatives — "
        f"{v('territoire')} ({v('departement')}), {v('region')}",
        f"Période du {v('periode_debut')} au {v('periode_fin')}",
    )
    section(
        doc,
        "Le dispositif",
        [
            # The context's year (« 2 021 » while integers group their thousands); the
            # title reads the raw one.
            ans("Année du bilan", "annee"),
            ans("Service rédacteur du bilan", "redacteur_service"),
            ans("ETP financés", "etp_finances"),
            ans("ETP effectivement pourvus", "etp_pourvus"),
            ans("Démarrage effectif de l'équipe", "date_demarrage_effectif"),
            ans("Crédits consommés", "credits_consommes"),
            ans("Stades de la procédure couverts", "stades_couverts"),
        ],
    )
    doc.add_heading("Opérateurs de l'équipe mobile", level=2)
    rows_table(doc, loop="operateur in operateurs", **OPERATORS_TABLE)
    doc.add_heading("Activité des équipes", level=1)
    activity = [[label, v_or_dash(key)] for label, key in BILAN_ACTIVITY]
    activity.insert(2, ["Ménages rencontrés par jour (calculé)", MENAGES_PAR_JOUR])
    grid_table(doc, ["Indicateur", "Nombre"], activity, widths=[13.0, 4.0])
    doc.add_heading("Ménages rencontrés selon le stade de la procédure", level=2)
    stages = [[label, v_or_dash(key)] for label, key in BILAN_STAGES]
    grid_table(doc, ["Stade à l'orientation vers l'équipe", "Ménages"], stages, [13.0, 4.0])
    doc.add_heading("Satisfaction", level=1)
    grid_table(
        doc,
        ["Public", "Satisfaction moyenne (de 1 à 4)", "Répondants"],
        [
            ["Ménages", v_or_dash("satisf_menages_moy"), v_or_dash("nb_repondants_menages")],
            ["Bailleurs", v_or_dash("satisf_bailleurs_moy"), v_or_dash("nb_repondants_bailleurs")],
        ],
        widths=[7.0, 6.0, 4.0],
    )
    doc.add_heading("Procédures dans le parc privé (année N et N-1)", level=1)
    grid_table(
        doc,
        ["Parc privé", "Année N", "Année N-1", "Évolution"],
        [
            [label, v_or_dash(f"{key}_n"), v_or_dash(f"{key}_n1"), evolution(key)]
            for label, key in BILAN_PROCEDURES
        ],
        widths=[8.0, 3.0, 3.0, 3.0],
    )
    doc.add_heading("Commentaires", level=1)
    _paragraph(doc, '{{ commentaire_difficultes or "Aucun commentaire." }}', after=12)
    signature_blocks(doc, [(["Le service rédacteur", v("redacteur_service")], [])])
    footer(doc, CAMPAIGN_FOOTER)
    return doc


RESSOURCES = [
    ("Salaires", "ressources_salaires"),
    ("Allocations chômage", "ressources_chomage"),
    ("RSA", "ressources_rsa"),
    ("AAH", "ressources_aah"),
    ("Retraite ou pension d'invalidité", "ressources_retraite_invalidite"),
    ("Prestations familiales", "ressources_prestations_familiales"),
    ("APL ou AL", "ressources_apl_al"),
    ("Pension alimentaire", "ressources_pension_alimentaire"),
    ("Autres ressources", "ressources_autres"),
]
CHARGES = [
    ("Loyer hors charges", "loyer_hc"),
    ("Charges locatives", "charges_locatives"),
    ("Énergie", "charges_energie"),
    ("Assurances", "charges_assurance"),
    ("Crédits", "charges_credits"),
    ("Autres charges", "charges_autres"),
]
RESTE_A_VIVRE = v(
    f"({total([key for _, key in RESSOURCES])} - {total([key for _, key in CHARGES])})|montant"
)
DIAGNOSTIC_PERSON = [
    (
        "Rédacteur",
        [
            ans("Nom", "redacteur_nom"),
            ans("Qualité", "redacteur_qualite"),
            ans("Coordonnées", "redacteur_coordonnees"),
        ],
    ),
    (
        "Entretien",
        [
            ans("Date de l'entretien", "date_entretien"),
            ans("Lieu", "lieu_entretien"),
            ans("Locataire présent", "locataire_present"),
            ans("Modes de prise de contact", "mode_contact"),
            ans(
                "Transmission au juge et à la CCAPEX indiquée au ménage",
                "transmission_obligatoire_mentionnee",
            ),
        ],
    ),
]
DIAGNOSTIC_PROCEDURE = [
    ans("Stade de la procédure", "stade"),
    opt("Commandement de payer", "date_cdp"),
    opt("Assignation", "date_assignation"),
    opt("Audience", "date_audience"),
    ans("Acte générateur vérifié et régulier", "acte_generateur_regulier"),
    ans("CCAPEX saisie", "ccapex_saisie"),
    opt("Date de saisine de la CCAPEX", "ccapex_date"),
]
DIAGNOSTIC_HOUSEHOLD = [
    (
        "Locataire",
        [
            Row("Nom et prénom", f"{v('nom')} {v('prenom')}"),
            ans("Date de naissance", "date_naissance"),
            ans("Adresse du logement", "adresse_logement"),
            ans("Téléphone", "telephone"),
            ans("Adresse électronique", "email"),
        ],
    ),
    (
        "Situation familiale",
        [
            ans("Situation familiale", "situation_familiale"),
            ans("Adultes au foyer", "nb_adultes"),
            ans("Enfants au foyer", "nb_enfants"),
            opt("Âge des enfants", "ages_enfants"),
            opt("Autres occupants", "autres_occupants"),
        ],
    ),
    (
        "Accompagnement existant",
        [
            ans("Suivi social existant", "suivi_social_existant"),
            opt("Suivi assuré par", "suivi_social_par"),
            ans("Aide juridictionnelle", "aide_juridictionnelle"),
            ans("Avocat", "avocat"),
        ],
    ),
]
DIAGNOSTIC_HOUSING = [
    (
        "Situation locative",
        [
            ans("Type de bailleur", "bailleur_type"),
            ans("Bailleur", "bailleur_nom"),
            ans("Coordonnées du bailleur", "bailleur_contact"),
            opt("Mandataire ou gestionnaire", "mandataire"),
            ans("Entrée dans le logement", "date_entree"),
            ans("Type de bail", "bail"),
            ans("Typologie du logement", "typologie"),
            ans("Aide au logement versée au bailleur", "tiers_payant_apl"),
            ans("Indécence du logement signalée", "indecence_signalee"),
        ],
    ),
    (
        "Dette locative",
        [
            ans("Montant de la dette locative", "montant_dette"),
            ans("Date du décompte", "date_decompte"),
            ans("Premier impayé", "date_premier_impaye"),
            ans("Mois d'impayés", "nb_mois_impayes"),
            ans("Dette contestée", "dette_contestee"),
        ],
    ),
]
DIAGNOSTIC_TREATMENT = [
    ans("Plan d'apurement en place", "plan_apurement"),
    opt("Mensualité du plan", "plan_apurement_mensualite"),
    ans("Fonds de solidarité pour le logement (FSL)", "fsl"),
    ans("Action Logement sollicitée", "action_logement"),
    ans("Maintien de l'aide au logement", "maintien_apl"),
    ans("Surendettement", "surendettement"),
]
DIAGNOSTIC_PAYMENT = [
    (
        "Paiement du loyer",
        [
            ans("Reprise du paiement du loyer courant", "reprise_paiement_loyer"),
            opt("Date de reprise", "reprise_paiement_date"),
            opt("Montant versé chaque mois", "reprise_paiement_montant"),
            ans("Capacité de remboursement mensuelle", "capacite_remboursement_mensuelle"),
        ],
    ),
    (
        "Relogement",
        [
            ans("Relogement nécessaire", "relogement_necessaire"),
            opt("Démarches de relogement", "relogement_demarches"),
        ],
    ),
]


def _budget(doc, heading: str, lines: list[tuple[str, str]], total_label: str) -> None:
    """Monthly amounts, one per line, and their total computed from the raw answers."""
    rows = [[label, v_or_dash(key)] for label, key in lines]
    rows.append([total_label, v(f"({total([key for _, key in lines])})|montant")])
    grid_table(doc, [heading, "Montant mensuel"], rows, widths=[12.0, 5.0], total=True)


def diagnostic_social_et_financier() -> DocumentObject:
    """The household's diagnostic, rubric by rubric, with the monthly budget computed."""
    doc = _document(
        title="Diagnostic social et financier",
        subject="Diagnostic social et financier d'un ménage suivi par l'équipe mobile",
    )
    header_block(doc, issuer=OPERATOR_ISSUER, aside=HOUSEHOLD_ASIDE)
    title_block(
        doc,
        "Diagnostic social et financier",
        f"Ménage {v('menage')} — {v('territoire')}",
        "Document confidentiel\u00a0: il contient des données personnelles du ménage.",
    )
    for heading, rows in DIAGNOSTIC_PERSON:
        section(doc, heading, rows)
    section(doc, "Procédure", DIAGNOSTIC_PROCEDURE)
    long_answer(
        doc, "Observations sur l'acte générateur", "acte_generateur_observations", optional=True
    )
    long_answer(doc, "Recommandations de la CCAPEX", "ccapex_recommandations", optional=True)
    for heading, rows in DIAGNOSTIC_HOUSEHOLD:
        section(doc, heading, rows)
    doc.add_heading("Ressources mensuelles du foyer", level=1)
    _budget(doc, "Ressources", RESSOURCES, "Total des ressources")
    _paragraph(doc, v_or_dash("situation_pro"), label="Situation professionnelle")
    doc.add_heading("Charges mensuelles du foyer", level=1)
    _budget(doc, "Charges", CHARGES, "Total des charges")
    _paragraph(doc, RESTE_A_VIVRE, label="Reste à vivre mensuel (ressources moins charges)")
    for heading, rows in DIAGNOSTIC_HOUSING:
        section(doc, heading, rows)
    long_answer(doc, "Autres dettes", "autres_dettes", optional=True)
    doc.add_heading("Causes de l'impayé", level=1)
    _paragraph(doc, v_or_dash("causes"))
    section(doc, "Traitement de la dette", DIAGNOSTIC_TREATMENT)
    long_answer(doc, "Autres aides mobilisées", "autres_aides", optional=True)
    for heading, rows in DIAGNOSTIC_PAYMENT:
        section(doc, heading, rows)
    doc.add_heading("Conclusions", level=1)
    long_answer(doc, "Préconisations", "preconisations")
    _paragraph(doc, v_or_dash("demarches_proposees"), label="Démarches à engager")
    for who, key in (
        ("rédacteur", "redacteur"),
        ("locataire", "locataire"),
        ("bailleur", "bailleur"),
    ):
        long_answer(doc, f"Observations du {who}", f"observations_{key}", optional=True)
    _paragraph(doc, after=10)
    signature = (["Le rédacteur ou la rédactrice", v("redacteur_nom"), v("redacteur_qualite")], [])
    signature_blocks(doc, [signature])
    footer(doc, HOUSEHOLD_FOOTER)
    return doc


ENGAGEMENT_CELLS = [
    v("loop.index"),
    v("engagement.demarche"),
    v("engagement.objectif"),
    v("engagement.porteur"),
    v("engagement.modalite")
    + "{% if engagement.organisme_oriente %} ("
    + v("engagement.organisme_oriente")
    + "){% endif %}",
    v("engagement.echeance"),
    v("engagement.statut"),
]


def _contract_parties(doc) -> None:
    """Who signs, and what they agree to."""
    _paragraph(doc, "Entre les soussignés\u00a0:", bold=True)
    _paragraph(doc, f"{v('prenom')} {v('nom')}", label="le ménage")
    _paragraph(
        doc,
        f"{v('organisation')}, référent du ménage\u00a0: {v('referent')}",
        label="et l'opérateur de l'équipe mobile",
    )
    _paragraph(
        doc,
        "Le ménage et l'opérateur s'engagent à accomplir les démarches ci-dessous, chacune avec "
        "son objectif, la personne qui la porte et son échéance. L'équipe mobile reprend contact "
        "avec le ménage dans les quinze jours qui suivent le dernier échange pour faire le point "
        "sur leur avancement.",
    )


def contrat_d_engagement() -> DocumentObject:
    """The contract between the household and the operator: one table row per step."""
    doc = _document(
        title="Contrat d'engagement",
        subject="Contrat d'engagement entre un ménage et l'équipe mobile",
    )
    aside = ["Le " + v("date_signature or date_document"), HOUSEHOLD_ASIDE[1]]
    header_block(doc, issuer=OPERATOR_ISSUER, aside=aside)
    title_block(
        doc,
        "Contrat d'engagement",
        f"Équipe mobile de prévention des expulsions locatives — {v('territoire')}",
    )
    _contract_parties(doc)
    section(
        doc,
        "Le contrat",
        [
            ans("Date de signature", "date_signature"),
            ans("Échéance du contrat", "echeance"),
            ans("Référent à l'équipe mobile", "referent"),
            ans("Stade de la procédure", "stade"),
            ans("Montant de la dette locative", "montant_dette"),
        ],
    )
    doc.add_heading("Engagements", level=1)
    rows_table(
        doc,
        ["N°", "Démarche", "Objectif", "Porteur", "Modalité", "Échéance", "Statut"],
        loop="engagement in engagements",
        cells=ENGAGEMENT_CELLS,
        widths=[0.8, 3.0, 4.3, 2.3, 3.0, 2.1, 1.5],
        size=8.5,
    )
    _tag(doc, "{%p if bailleur_informe_garanties %}")
    _paragraph(
        doc,
        v("bailleur_informe_garanties"),
        label="Bailleur informé des garanties mobilisables",
    )
    _tag(doc, "{%p endif %}")
    doc.add_heading("Signatures", level=1)
    done = _paragraph(doc, f"Fait le {v_or_dash('date_signature')}, en deux exemplaires.", after=10)
    done.paragraph_format.keep_with_next = True
    signature_blocks(
        doc,
        [
            (
                ["Pour le ménage", f"{v('prenom')} {v('nom')}"],
                ["Signé\u00a0: " + v_or_dash("signature_menage")],
            ),
            (
                ["Pour l'opérateur", f"{v('organisation')} — {v('referent')}"],
                ["Signé\u00a0: " + v_or_dash("signature_operateur")],
            ),
        ],
    )
    footer(doc, HOUSEHOLD_FOOTER)
    return doc


def veille_sociale_post_intervention() -> DocumentObject:
    """The follow-up fifteen days after the last exchange: contact, steps, outcome."""
    doc = _document(
        title="Veille sociale post-intervention",
        subject="Point avec le ménage quinze jours après le dernier échange",
    )
    header_block(doc, issuer=OPERATOR_ISSUER, aside=HOUSEHOLD_ASIDE)
    title_block(
        doc,
        "Veille sociale post-intervention",
        f"Point à quinze jours avec le ménage {v('menage')} — {v('territoire')}",
    )
    section(
        doc,
        "Le contact",
        [
            ans("Dernier échange avec le ménage", "date_dernier_echange"),
            ans("Contact de veille", "date_contact"),
            ans("Mode de contact", "mode"),
            ans("Contact établi", "contact_etabli"),
        ],
    )
    doc.add_heading("Les engagements", level=1)
    rows_table(
        doc,
        ["N°", "Démarche", "Statut"],
        loop="engagement in engagements",
        cells=[v("loop.index"), v("engagement.demarche"), v("engagement.statut")],
        widths=[1.0, 12.0, 4.0],
    )
    _paragraph(doc, v_or_dash("impaye_resorbe"), label="Impayé résorbé")
    section(
        doc,
        "Relais et issue",
        [
            ans("Relais effectif vers un autre intervenant", "transition_effective"),
            opt("Organisme relais", "organisme_relais"),
            opt("Date du relais", "date_transition"),
            ans("Issue", "issue"),
        ],
    )
    long_answer(doc, "Commentaire", "commentaire", optional=True)
    _paragraph(doc, after=10)
    signature_blocks(doc, [(["Pour l'opérateur", v("organisation")], [])])
    footer(doc, HOUSEHOLD_FOOTER)
    return doc


TEMPLATES: dict[str, Callable[[], DocumentObject]] = {
    "lettre-de-prefiguration": lettre_de_prefiguration,
    "bilan-d-etape": bilan_d_etape,
    "diagnostic-social-et-financier": diagnostic_social_et_financier,
    "contrat-d-engagement": contrat_d_engagement,
    "veille-sociale-post-intervention": veille_sociale_post_intervention,
}


def build_all(directory: Path) -> list[Path]:
    """Writes ``<slug>.docx`` for each form into ``directory``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for slug, build in TEMPLATES.items():
        path = directory / f"{slug}.docx"
        build().save(path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent):
        print(written)
