"""The parts every default template is made of, on top of ``docx_helpers``: the Jinja
snippets that show an answer, label / answer tables, tables of figures and of repeatable
groups, long answers, the République française header, the title, signature blocks and the
numbered footer.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Cm, Pt

from documents.default_templates.docx_helpers import (
    CONTENT_WIDTH,
    GREY,
    LABEL_FILL,
    add_row,
    first_paragraph,
    page_field,
    paragraph,
    shade,
    table,
    tag,
    tag_row,
)

DASH = "—"
DIHAL_ADDRESS = (
    "Pôle national de prévention des expulsions locatives — DIHAL",
    "Délégation interministérielle à l'hébergement et à l'accès au logement",
    "Grande Arche de la Défense, paroi Sud",
    "92055 La Défense",
)


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


def answers_table(doc, rows: list[Row], widths=(6.3, 10.7)) -> None:
    """Label / answer lines, the labels shaded."""
    widths = list(widths)
    grid = table(doc, widths)
    for row in rows:
        if row.when:
            tag_row(grid, "{%tr if " + row.when + " %}", widths)
        shade(add_row(grid, [row.label, row.value], widths).cells[0], LABEL_FILL)
        if row.when:
            tag_row(grid, "{%tr endif %}", widths)
    paragraph(doc, after=2)


def section(doc, heading: str, rows: list[Row], *, level: int = 1) -> None:
    """A heading of the form's section, then its answers as a label / answer table."""
    doc.add_heading(heading, level=level)
    answers_table(doc, rows)


def grid_table(
    doc, headers: list[str], rows: list[list[str]], widths: list[float], *, total=False
) -> None:
    """A fixed table of figures under a header row (counters, N / N-1); with ``total`` its
    last row is a total, in bold."""
    grid = table(doc, widths)
    add_row(grid, headers, widths, header=True, right_from=1)
    for index, texts in enumerate(rows):
        bold = total and index == len(rows) - 1
        shade(add_row(grid, texts, widths, right_from=1, bold=bold).cells[0], LABEL_FILL)
    paragraph(doc, after=2)


def rows_table(
    doc, headers: list[str], *, loop: str, cells: list[str], widths: list[float], size=None
) -> None:
    """A repeatable group: a header row, then one row per answer row (``{%tr for %}``)."""
    grid = table(doc, widths)
    add_row(grid, headers, widths, header=True, size=size)
    tag_row(grid, "{%tr for " + loop + " %}", widths)
    add_row(grid, cells, widths, size=size)
    tag_row(grid, "{%tr endfor %}", widths)
    paragraph(doc, after=2)


def long_answer(doc, label: str, key: str, *, optional: bool = False) -> None:
    """A text answer as its own paragraph under a bold label (line breaks kept)."""
    if optional:
        tag(doc, "{%p if " + key + " %}")
    paragraph(doc, label, bold=True, after=1)
    paragraph(doc, v(key) if optional else v_or_dash(key))
    if optional:
        tag(doc, "{%p endif %}")


def header_block(doc, *, issuer: list[str], aside: list[str]) -> None:
    """The State's block in text (no image), the issuer under it; date or references aside."""
    widths = [9.0, 8.0]
    left, right = table(doc, widths, bordered=False).add_row().cells
    left.width, right.width = Cm(widths[0]), Cm(widths[1])
    for line in ("RÉPUBLIQUE", "FRANÇAISE"):
        run = first_paragraph(left, after=0).add_run(line)
        run.bold, run.font.small_caps, run.font.size = True, True, Pt(12)
    motto = paragraph(left, after=8)
    for index, word in enumerate(("Liberté", "Égalité", "Fraternité")):
        run = motto.add_run(word)
        run.italic, run.font.size = True, Pt(9)
        if index < 2:
            run.add_break()
    for index, line in enumerate(issuer):
        paragraph(left, line, bold=index == 0, size=10 if index == 0 else 9, after=0)
    for index, line in enumerate(aside):
        written = first_paragraph(right, line, size=9.5, after=0)
        written.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if index == 0:
            written.paragraph_format.space_before = Pt(24)
    paragraph(doc, after=6)


def title_block(doc, title: str, *subtitles: str) -> None:
    """The document's title, centred, and its subtitles in italics under it."""
    paragraph(doc, title, style="Title", align=WD_ALIGN_PARAGRAPH.CENTER)
    for line in subtitles:
        paragraph(doc, line, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=2)
    paragraph(doc, after=4)


def signature_blocks(doc, blocks: list[tuple[list[str], list[str]]]) -> None:
    """Side by side signature blocks, each (lines above, lines below) the room to sign; a
    single block stands on the right. Two table rows keep the blocks level."""
    width = CONTENT_WIDTH.cm / 2
    if len(blocks) == 1:
        blocks = [([], []), blocks[0]]
    grid = table(doc, [width, width], bordered=False)
    above, below = grid.add_row().cells, grid.add_row().cells
    for index, (lines_above, lines_below) in enumerate(blocks):
        for number, line in enumerate(lines_above):
            first_paragraph(above[index], line, bold=number == 0, size=None if number == 0 else 9)
        if lines_above or lines_below:
            first_paragraph(below[index], after=36)
        for line in lines_below:
            paragraph(below[index], line, size=8.5, color=GREY, after=0)
    for cell in (*above, *below):
        cell.width = Cm(width)
        for written in cell.paragraphs:
            written.alignment = WD_ALIGN_PARAGRAPH.CENTER
            written.paragraph_format.keep_with_next = True
    paragraph(doc, after=0)  # Word wants a paragraph after a table


def footer(doc, text: str, *, section: int = 0, width=CONTENT_WIDTH) -> None:
    """The footer: what the document is, then « Page n sur N » on the right (``width``:
    the section's width between its margins)."""
    footer_part = doc.sections[section].footer
    if section:
        footer_part.is_linked_to_previous = False  # its own tab stop, for its own width
    written = footer_part.paragraphs[0]
    written.style = doc.styles["Normal"]
    written.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    for piece, field in ((text, None), ("\tPage ", "PAGE"), (" sur ", "NUMPAGES")):
        run = written.add_run(piece)
        run.font.size, run.font.color.rgb = Pt(8), GREY
        if field:
            page_field(written, field)
