"""The consolidated tables of a campaign as CSV files, one per table, and the files' names
(workbook and report included).

Reads a :class:`~documents.consolidation.frames.Consolidation` (already cut to the reader's
scope) and never queries answers itself. Household forms appear as counts only. The
workbook is ``documents.consolidation.workbook``.

CSV: ``;`` separator, UTF-8 with BOM, CRLF, for French Excel. Numbers carry a decimal comma
and no thousands separator (« 1234,5 »), so that Excel reads them as numbers; ratios and
changes (``taux``) are written as fractions to 4 decimals (« 0,406 » is 40,6 %), percentages
typed 0–100 as typed, a rate's change between campaigns in points (« 0,8 »; the column says
« points pour les taux »); dates DD/MM/YYYY. A text cell starting with ``= + - @``, a tab or a
carriage return is prefixed with ``'`` so that no spreadsheet reads it as a formula; numbers
never are.

Imports ``vocabulary``, ``frames`` and ``tables``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from documents.consolidation.frames import Consolidation
from documents.consolidation.tables import GROUP_PREFIX, Table, is_typed, table_builders
from documents.consolidation.vocabulary import (
    DATE,
    DECIMAL,
    EUROS,
    INTEGER,
    PERCENT_VALUE,
    POINTS,
    RATE,
    REGION,
    TEXT,
)
from documents.rendering.store import filename_part

# What a spreadsheet may read as a formula: =, +, -, @, and a tab or carriage return before
# one (the workbook's text cells and the CSV files alike).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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
