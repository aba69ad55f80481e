"""The python-docx helpers the default templates are built with: the State's page and
styles (A4, Marianne falling back on Arial, blue headings), paragraphs, bordered tables and
their rows, shaded cells, docxtpl's paragraph and row tags, and Word's computed fields.

They know nothing of the forms: ``blocks`` builds the templates' parts on top of them.
"""

from __future__ import annotations

import datetime

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
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
AUTHOR = "Portail des équipes mobiles de prévention des expulsions locatives"


def _set_font(r_pr, name: str = FONT) -> None:
    """Sets ``name`` as the font of every script of a run properties element."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        fonts.attrib.pop(attribute)
    for slot in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{slot}"), name)


def _styles(doc: DocumentObject) -> None:
    """The document's default font and language, body text and blue headings."""
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


def document(*, title: str, subject: str) -> DocumentObject:
    """An empty A4 document in the State's styles, its properties in French and fixed (the
    same bytes on every build)."""
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


def paragraph(
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
    """A paragraph of ``text`` added to ``container`` (the document or a cell), after a bold
    label and its colon if given; returns it."""
    written = container.add_paragraph(style=style)
    if label:
        written.add_run(f"{label}\u00a0: ").bold = True  # French spacing before the colon
    if text:
        run = written.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
    if align is not None:
        written.alignment = align
    if after is not None:
        written.paragraph_format.space_after = Pt(after)
    return written


def first_paragraph(cell, text: str = "", **options):
    """Writes into a cell's own empty paragraph, then adds the next ones."""
    written = paragraph(cell, text, **options)
    if len(cell.paragraphs) == 2 and not cell.paragraphs[0].text:
        cell._tc.remove(cell.paragraphs[0]._p)
    return written


def tag(container, markup: str) -> None:
    """A paragraph holding only a docxtpl paragraph tag (``{%p if … %}``)."""
    container.add_paragraph(markup)


def _element(tag: str, **attributes: str):
    """A WordprocessingML element ``tag`` with its ``w:`` attributes."""
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def shade(cell, fill: str) -> None:
    """Fills a table cell with the colour ``fill`` (hexadecimal RGB)."""
    cell._tc.get_or_add_tcPr().append(_element("w:shd", val="clear", color="auto", fill=fill))


def table(doc, widths: list[float], *, bordered: bool = True):
    """A centred table of fixed column ``widths`` (cm), with thin grey borders unless not
    ``bordered``, and the cell margins of the templates; no row yet."""
    grid = doc.add_table(rows=0, cols=len(widths))
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Cm(width)
    # Word wants tblPr's children in the schema's order: …, tblBorders, tblLayout, tblCellMar,
    # tblLook.
    layout = grid._tbl.tblPr.find(qn("w:tblLayout"))
    if bordered:
        borders = _element("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            borders.append(_element(f"w:{side}", val="single", sz="4", space="0", color=BORDER))
        layout.addprevious(borders)
    margins = _element("w:tblCellMar")
    for side, twips in (("top", "28"), ("left", "85"), ("bottom", "28"), ("right", "85")):
        margins.append(_element(f"w:{side}", w=twips, type="dxa"))
    layout.addnext(margins)
    return grid


def add_row(grid, texts, widths, *, header=False, bold=False, size=None, right_from=None):
    """A row of ``texts``; columns from ``right_from`` on are right-aligned (figures)."""
    row = grid.add_row()
    row_properties = row._tr.get_or_add_trPr()
    row_properties.append(_element("w:cantSplit"))
    if header:  # repeated at the top of each page
        row_properties.append(_element("w:tblHeader"))
    for index, (cell, text, width) in enumerate(zip(row.cells, texts, widths, strict=True)):
        cell.width = Cm(width)
        written = first_paragraph(cell, text, bold=header or bold, size=size, after=0)
        if right_from is not None and index >= right_from:
            written.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if header:
            shade(cell, HEADER_FILL)
    return row


def tag_row(grid, markup: str, widths: list[float]) -> None:
    """A row docxtpl replaces by its ``{%tr … %}`` tag."""
    add_row(grid, [markup] + [""] * (len(widths) - 1), widths)


def page_field(target, instruction: str) -> None:
    """A field Word and LibreOffice compute (PAGE, NUMPAGES), in the footer's small grey."""
    run, r_pr, text = OxmlElement("w:r"), OxmlElement("w:rPr"), OxmlElement("w:t")
    r_pr.extend([_element("w:color", val="666666"), _element("w:sz", val="16")])
    text.text = "1"
    run.extend([r_pr, text])
    field = _element("w:fldSimple", instr=f" {instruction} ")
    field.append(run)
    target._p.append(field)
