"""The consolidated tables of a campaign as files: an Excel workbook and one CSV per table.

Both read a :class:`~documents.consolidation.Consolidation` (already cut to the reader's
scope) and never query answers themselves. Household forms appear as counts only.

XLSX: one sheet per table, header on row 1 (frozen, autofilter over the data), column widths
estimated from the content, French number formats. Every text cell is written as text
(``data_type = "s"``, with the quote-prefix style when it starts like a formula): an answer
typed ``=HYPERLINK(…)`` stays the text the person typed, never a formula (security.md #8).
Percentages typed 0–100 (``pourcent``) are stored as fractions so that Excel's ``0.0%``
format shows them as typed; ratios and changes (``taux``) are fractions already; a rate's
change between campaigns (``points``) is stored ×100 under a « +0,8 pt » format.

CSV: ``;`` separator, UTF-8 with BOM, CRLF, for French Excel. Numbers carry a decimal comma
and no thousands separator (« 1234,5 »), so that Excel reads them as numbers; ratios and
changes (``taux``) are written as fractions to 4 decimals (« 0,406 » is 40,6 %), percentages
typed 0–100 as typed, a rate's change between campaigns in points (« 0,8 »; the column says
« points pour les taux »); dates DD/MM/YYYY. A text cell starting with ``= + - @``, a tab or a
carriage return is prefixed with ``'`` so that no spreadsheet reads it as a formula; numbers
never are.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from documents.consolidation import (
    DATE,
    DECIMAL,
    EUROS,
    INTEGER,
    NUMERIC_KINDS,
    PERCENT_VALUE,
    POINTS,
    RATE,
    REGION,
    TEXT,
    Column,
    Consolidation,
)
from documents.consolidation_tables import (
    GROUP_PREFIX,
    Table,
    is_typed,
    table_builders,
    workbook_tables,
)
from documents.rendering.store import filename_part
from portal.templatetags.portal_format import format_number_fr

YEAR_KEYS = re.compile(r"^annee(_|$)")  # whole numbers shown without a thousands space

# The tables every consolidation may offer as CSV, with their French labels; the repeatable
# groups add "groupe-<key>" tables (see ``csv_tables`` for one consolidation's list).
CSV_TABLES: dict[str, str] = {
    "national": "Synthèse (totaux du périmètre)",
    "procedures": "Procédures N et N-1",
    "comparaison": "Comparaison des campagnes",
    "regions": "Par région",
    "departements": "Par département",
    "reponses": "Réponses (une ligne par répondant)",
    "menages": "Dossiers ménages (décomptes)",
}


@dataclass(frozen=True)
class CsvTable:
    key: str
    label: str


def csv_tables(*, consolidation: Consolidation) -> list[CsvTable]:
    """The tables this consolidation offers as CSV (key for the URL, French label)."""
    tables = [
        CsvTable(key, label)
        for key, label in CSV_TABLES.items()
        if not (key == "comparaison" and consolidation.comparison is None)
        and not (key == "procedures" and not consolidation.procedures)
        and not (key == "menages" and consolidation.field_counts is None)
    ]
    groups = [
        CsvTable(f"{GROUP_PREFIX}{g.key}", f"Groupe répété : {g.label}")
        for g in consolidation.groups
    ]
    # Groups read after the answers they belong to, household counts last.
    position = next((i for i, t in enumerate(tables) if t.key == "reponses"), len(tables)) + 1
    return tables[:position] + groups + tables[position:]


# ---------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------

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
# What a spreadsheet may read as a formula (=, +, -, @, and a tab or carriage return before
# one), or openpyxl as an error value (#N/A, #REF!…).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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
    shown = len(format_number_fr(Decimal(repr(number)), decimals=decimals))
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


# ---------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------

CSV_DECIMALS = {INTEGER: 0, DECIMAL: 4, EUROS: 2, PERCENT_VALUE: 2, RATE: 4, POINTS: 2}


def _csv_number(value: Any, kind: str) -> str:
    number = float(value) * (100 if kind == POINTS else 1)
    if not math.isfinite(number):
        return ""
    decimals = CSV_DECIMALS.get(kind, 4)
    text = f"{number:.{decimals}f}"
    if kind not in (INTEGER, EUROS) and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("-") and float(text) == 0:  # « -0,00 » reads as a mistake
        text = text[1:]
    return text.replace(".", ",")


def neutralised(text: str) -> str:
    """Text a spreadsheet will not read as a formula: « '=HYPERLINK(…) »."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == TEXT or isinstance(value, str) or not is_typed(value, kind):
        return neutralised(str(value))
    if kind == DATE:
        return value.strftime("%d/%m/%Y")
    return _csv_number(value, kind)


def _csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralised(c.label) for c in table.columns])
    kinds = [table.kinds(i) for i in range(len(table.columns))]
    for row in range(table.row_count):
        writer.writerow(
            [_csv_cell(values[row], kinds[i][row]) for i, values in enumerate(table.values)]
        )
    return buffer.getvalue().encode("utf-8-sig")


def consolidation_csv(*, consolidation: Consolidation, table: str) -> bytes:
    """One table of the consolidation as CSV for French Excel (see ``csv_tables``); an
    unknown table, or one this consolidation does not have, raises ValueError."""
    builder = table_builders(consolidation).get(table)
    built = builder() if builder else None
    if built is None:
        raise ValueError(f"Unknown consolidated table: {table!r}")
    return _csv_bytes(built)


# ---------------------------------------------------------------------------------------
# File names
# ---------------------------------------------------------------------------------------


def _scope_slug(consolidation: Consolidation) -> str:
    if consolidation.is_national:
        return "national"
    codes = consolidation.territory_codes
    if len(codes) == 1:
        return filename_part(codes[0])
    regions = set(consolidation.by_territory[REGION]) if len(consolidation.by_territory) else set()
    if len(regions) == 1:
        return filename_part(next(iter(regions)))
    return "-".join(filename_part(code) for code in codes) if 0 < len(codes) <= 4 else "perimetre"


FILENAME_TABLES = {"national": "synthese"}  # « …-national-national.csv » reads as a typo


def consolidation_filename(
    *, consolidation: Consolidation, extension: str, table: str | None = None
) -> str:
    """An ASCII file name: « tableaux-bilan-d-etape-2022-national.xlsx »,
    « tableaux-bilan-d-etape-2022-38-departements.csv », « …-national-synthese.csv »."""
    parts: Sequence[str] = [
        "tableaux",
        filename_part(consolidation.campaign.title),
        _scope_slug(consolidation),
        filename_part(FILENAME_TABLES.get(table, table)) if table else "",
    ]
    return "-".join(part for part in parts if part) + "." + filename_part(extension)
