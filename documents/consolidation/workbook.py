"""The consolidated tables of a campaign as an Excel workbook: one sheet per table, header
on row 1 (frozen, autofilter over the data), column widths estimated from the content,
French number formats.

Reads a :class:`~documents.consolidation.frames.Consolidation` (already cut to the reader's
scope) and never queries answers itself. Every text cell is written as text
(``data_type = "s"``, with the quote-prefix style when it starts like a formula): an answer
typed ``=HYPERLINK(…)`` stays the text the person typed, never a formula (security.md #8).
Percentages typed 0–100 (``pourcent``) are stored as fractions so that Excel's ``0.0%``
format shows them as typed; ratios and changes (``taux``) are fractions already; a rate's
change between campaigns (``points``) is stored ×100 under a « +0,8 pt » format.

Imports ``vocabulary``, ``frames``, ``tables`` and ``files`` (what reads as a formula).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from documents.consolidation.files import FORMULA_STARTS
from documents.consolidation.frames import Consolidation
from documents.consolidation.tables import Table, is_typed, workbook_tables
from documents.consolidation.vocabulary import (
    DATE,
    DECIMAL,
    EUROS,
    INTEGER,
    NUMERIC_KINDS,
    PERCENT_VALUE,
    POINTS,
    RATE,
    TEXT,
    Column,
)
from portal import formatting

YEAR_KEYS = re.compile(r"^annee(_|$)")  # whole numbers shown without a thousands space

NUMBER_FORMATS = {
    INTEGER: "#,##0",
    DECIMAL: "#,##0.00",
    EUROS: '#,##0.00\\ "€"',
    PERCENT_VALUE: "0.0%",  # stored as a fraction: 62.5 typed shows « 62,5 % »
    RATE: "0.0%",
    POINTS: '+0.0" pt";-0.0" pt";0.0" pt"',  # stored ×100: 0.008 shows « +0,8 pt »
    DATE: "DD/MM/YYYY",
    TEXT: "@",
}
YEAR_FORMAT = "0"
# What openpyxl may read as an error value (#N/A, #REF!…), besides a formula.
RISKY_STARTS = (*FORMULA_STARTS, "#")
MAX_CELL_TEXT = 32_767
MIN_WIDTH, MAX_WIDTH, MAX_HEADER_WIDTH = 8, 60, 28
LINE_HEIGHT = 15


class _Styles:
    """One prototype cell per look, whose style every written cell shares."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self._prototypes: dict[tuple[str, bool], WriteOnlyCell] = {}
        header = WriteOnlyCell(ws)
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="top")
        self.header = header._style

    def style(self, number_format: str, *, quoted: bool = False):
        key = (number_format, quoted)
        if key not in self._prototypes:
            prototype = WriteOnlyCell(self.ws)
            prototype.number_format = number_format
            prototype.quotePrefix = quoted
            self._prototypes[key] = prototype
        return self._prototypes[key]._style


def _text_cell(ws, styles: _Styles, value: Any, style=None) -> WriteOnlyCell:
    """A cell holding text whatever it starts with: never a formula, an error or a number
    (quote-prefixed when it starts like a formula, as Excel marks typed text)."""
    text = str(value)
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell = WriteOnlyCell(ws, text[:MAX_CELL_TEXT])
    cell.data_type = "s"
    quoted = text.startswith(FORMULA_STARTS)
    cell._style = style or styles.style(NUMBER_FORMATS[TEXT], quoted=quoted)
    return cell


def _xlsx_number(value: Any, kind: str) -> Any:
    if kind == DATE:
        return value
    if kind == PERCENT_VALUE:
        return float(value) / 100
    if kind == POINTS:
        return float(value) * 100
    number = float(value)
    return int(number) if kind == INTEGER and number.is_integer() else number


def _cell_writer(ws, styles: _Styles, kind: str, number_format: str) -> Callable[[Any], Any]:
    """How one column's values become cells. Text that openpyxl types as a plain string
    anyway goes as is (the streaming writer reuses one cell for those, which keeps a large
    sheet fast); any other text becomes a cell forced to text."""

    def text(value: Any) -> Any:
        if value is None:
            return None
        if (
            type(value) is str
            and not value.startswith(RISKY_STARTS)
            and len(value) <= MAX_CELL_TEXT
            and not ILLEGAL_CHARACTERS_RE.search(value)
        ):
            return value
        return _text_cell(ws, styles, value)

    if kind == TEXT:
        return text
    style = styles.style(number_format)

    def number(value: Any) -> Any:
        if value is None or not is_typed(value, kind):
            return text(value)
        if kind != DATE and not math.isfinite(float(value)):
            return None
        cell = WriteOnlyCell(ws, _xlsx_number(value, kind))
        cell._style = style
        return cell

    return number


def _display_width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == TEXT or not is_typed(value, kind):
        return max((len(line) for line in str(value).splitlines()), default=0)
    if kind == DATE:
        return 10
    number = abs(float(value))
    if not math.isfinite(number):
        return 0
    if kind in (RATE, PERCENT_VALUE, POINTS):
        return len(f"{number * (1 if kind == PERCENT_VALUE else 100):.1f}") + 4
    decimals = 0 if kind == INTEGER else 2
    shown = len(formatting.number(number, decimals=decimals))
    return shown + (3 if kind == EUROS else 1)


def _content_width(values: list[Any], kinds: list[str], single_kind: str | None) -> int:
    """The widest value as shown; a column of one numeric kind is as wide as its largest or
    its smallest number (two widths to work out per column rather than one per cell)."""
    present = [v for v in values if v is not None]
    if not present:
        return 0
    if single_kind in NUMERIC_KINDS and all(is_typed(v, single_kind) for v in present):
        numbers = [float(v) for v in present]
        extremes = (max(numbers), min(numbers))
        return max(_display_width(v, single_kind) for v in extremes)
    if single_kind == TEXT:
        return max(_display_width(v, TEXT) for v in present)
    return max(_display_width(v, k) for v, k in zip(values, kinds, strict=True) if v is not None)


def _widths(table: Table) -> list[int]:
    widths = []
    for index, column in enumerate(table.columns):
        single = None if index in table.cell_kinds else column.kind
        content = _content_width(table.values[index], table.kinds(index), single)
        header = min(len(column.label), MAX_HEADER_WIDTH)
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, content, header) + 2))
    return widths


def _number_format(column: Column, kind: str) -> str:
    if kind == INTEGER and YEAR_KEYS.match(column.key):
        return YEAR_FORMAT
    return NUMBER_FORMATS.get(kind, NUMBER_FORMATS[TEXT])


def _sheet_layout(ws, table: Table) -> None:
    """Widths, header height, frozen panes and autofilter: set before the first row, as a
    streaming sheet writes them first."""
    widths = _widths(table)
    header_lines = 1
    for index, (column, width) in enumerate(zip(table.columns, widths, strict=True), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
        header_lines = max(header_lines, math.ceil(len(column.label) / max(width - 2, 1)))
    ws.row_dimensions[1].height = LINE_HEIGHT * min(header_lines, 6)
    frozen = min(table.frozen_columns, len(table.columns) - 1)
    ws.freeze_panes = f"{get_column_letter(frozen + 1)}2"
    last = get_column_letter(len(table.columns))
    ws.auto_filter.ref = f"A1:{last}{table.row_count + 1}"


def _write_sheet(workbook: Workbook, table: Table, title: str) -> None:
    ws = workbook.create_sheet(title=title)
    styles = _Styles(ws)
    _sheet_layout(ws, table)
    ws.append([_text_cell(ws, styles, c.label, styles.header) for c in table.columns])
    if not table.cell_kinds:
        writers = [
            _cell_writer(ws, styles, c.kind, _number_format(c, c.kind)) for c in table.columns
        ]
        for row in zip(*table.values, strict=True):
            ws.append([write(value) for write, value in zip(writers, row, strict=True)])
        return
    writers_by_kind: dict[tuple[int, str], Callable[[Any], Any]] = {}
    kinds = [table.kinds(i) for i in range(len(table.columns))]
    for row_index in range(table.row_count):
        cells = []
        for index, column in enumerate(table.columns):
            kind = kinds[index][row_index]
            if (index, kind) not in writers_by_kind:
                writers_by_kind[index, kind] = _cell_writer(
                    ws, styles, kind, _number_format(column, kind)
                )
            cells.append(writers_by_kind[index, kind](table.values[index][row_index]))
        ws.append(cells)


RESERVED_SHEET_TITLES = frozenset({"history"})  # Excel's own: it "repairs" the file


def _sheet_title(label: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name from a label: no []:*?/\\, at most 31 characters,
    not starting or ending with an apostrophe, not Excel's reserved « History », unique
    regardless of case."""
    title = re.sub(r"[\[\]:*?/\\]", " ", label)
    title = re.sub(r"\s+", " ", title).strip().strip("'").strip() or "Groupe"
    candidate, counter = title[:31].rstrip(), 2
    while candidate.casefold() in used or candidate.casefold() in RESERVED_SHEET_TITLES:
        suffix = f" ({counter})"
        candidate = title[: 31 - len(suffix)].rstrip() + suffix
        counter += 1
    used.add(candidate.casefold())
    return candidate


def consolidation_xlsx(*, consolidation: Consolidation) -> bytes:
    """The workbook of the consolidation: synthesis, procedures N / N-1, comparison between
    campaigns, by region, by département, the answers, one sheet per repeatable group and
    the household counts, each with a frozen header, an autofilter and French formats."""
    workbook = Workbook(write_only=True)
    campaign = consolidation.campaign
    workbook.properties.title = (
        f"Tableaux consolidés — {campaign.title} — {consolidation.scope_label}"
    )
    workbook.properties.subject = campaign.title
    workbook.properties.creator = settings.WAGTAIL_SITE_NAME
    workbook.properties.language = "fr-FR"
    used: set[str] = set()
    for table in workbook_tables(consolidation):
        _write_sheet(workbook, table, _sheet_title(table.title, used))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
