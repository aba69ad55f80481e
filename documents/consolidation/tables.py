"""The tables the consolidation files show, built once from a Consolidation for both the
workbook and the CSV files: each a title, French column labels with their kinds, and the
values column by column (missing values as None).

Imports ``vocabulary``, ``rules`` and ``frames``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from documents.consolidation.frames import Comparison, Consolidation, is_missing
from documents.consolidation.rules import RuleKind
from documents.consolidation.vocabulary import (
    DATE,
    DECIMAL,
    INTEGER,
    NATIONAL_COLUMNS,
    POINTS,
    RATE,
    REGION_COLUMNS,
    TERRITORY_COLUMNS,
    TEXT,
    Column,
    Measure,
)

SYNTHESIS_NATIONAL, SYNTHESIS_SCOPE = "Synthèse nationale", "Synthèse du périmètre"
PROCEDURES_TITLE, COMPARISON_TITLE = "Procédures N et N-1", "Comparaison des campagnes"
REGIONS_TITLE, TERRITORIES_TITLE = "Par région", "Par département"
ANSWERS_TITLE, HOUSEHOLDS_TITLE = "Réponses", "Dossiers ménages"
GROUP_PREFIX = "groupe-"


@dataclass
class Table:
    """A sheet or a CSV file: columns with their kinds, values column by column.

    ``cell_kinds`` overrides the kind of some columns row by row (the synthesis and the
    comparison hold figures of different kinds in one column)."""

    title: str
    columns: list[Column]
    values: list[list[Any]]
    frozen_columns: int = 0
    cell_kinds: dict[int, list[str]] = field(default_factory=dict)

    @property
    def row_count(self) -> int:
        return len(self.values[0]) if self.values else 0

    def kinds(self, index: int) -> list[str]:
        return self.cell_kinds.get(index) or [self.columns[index].kind] * self.row_count


def _measure_label(measure: Measure) -> str:
    if measure.rule == RuleKind.EVOLUTION:
        return f"{measure.label} — évolution N / N-1"
    return measure.label


def measure_columns(measures: Sequence[Measure]) -> list[Column]:
    """The measures as columns of the tables by territory and region (pages and files)."""
    return [Column(m.key, _measure_label(m), m.kind) for m in measures]


def _clean(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _column_values(frame: pd.DataFrame, key: str) -> list[Any]:
    """A frame's column as Python values, every kind of missing value as None."""
    if key not in frame.columns:  # a key the frame lacks reads as empty, never as an error
        return [None] * len(frame)
    series = frame[key]
    if pd.api.types.is_datetime64_any_dtype(series):
        series = series.dt.date
    missing = series.isna().tolist()
    return [None if gap else value for value, gap in zip(series.tolist(), missing, strict=True)]


def _frame_table(title: str, frame: pd.DataFrame, columns: list[Column], *, frozen: int) -> Table:
    values = [_column_values(frame, column.key) for column in columns]
    return Table(title, columns, values, frozen_columns=frozen)


def _synthesis(consolidation: Consolidation) -> Table:
    row = consolidation.national_row
    labels = ["Campagne"] + [c.label for c in NATIONAL_COLUMNS]
    values: list[Any] = [consolidation.campaign.title] + [row.get(c.key) for c in NATIONAL_COLUMNS]
    kinds = [TEXT] + [c.kind for c in NATIONAL_COLUMNS]
    for measure in consolidation.measures:
        labels.append(_measure_label(measure))
        values.append(row.get(measure.key))
        kinds.append(measure.kind)
    title = SYNTHESIS_NATIONAL if consolidation.is_national else SYNTHESIS_SCOPE
    return Table(
        title,
        [Column("indicateur", "Indicateur"), Column("valeur", "Valeur")],
        [labels, [_clean(v) for v in values]],
        cell_kinds={1: kinds},
    )


def _procedures(consolidation: Consolidation) -> Table:
    procedures = consolidation.procedures
    return Table(
        PROCEDURES_TITLE,
        [
            Column("procedure", "Procédure"),
            Column("n", "Année N", INTEGER),
            Column("n1", "Année N-1", INTEGER),
            Column("evolution", "Évolution N / N-1", RATE),
        ],
        [
            [p.label for p in procedures],
            [p.n for p in procedures],
            [p.n1 for p in procedures],
            [p.evolution for p in procedures],
        ],
    )


def _comparison(consolidation: Consolidation) -> Table | None:
    comparison = consolidation.comparison
    if comparison is None:
        return None
    measures = comparison.measures
    frame = comparison.frame
    columns = [Column("indicateur", "Indicateur")]
    values: list[list[Any]] = [[_measure_label(m) for m in measures]]
    kinds = {}
    for campaign in comparison.campaigns:
        key = comparison.column(campaign)
        columns.append(Column(key, campaign.title, DECIMAL))
        values.append([_clean(frame.at[m.key, key]) for m in measures])
        kinds[len(columns) - 1] = [m.kind for m in measures]
    evolution_kinds = [comparison.evolution_kind(m) for m in measures]
    columns.append(Column("evolution", comparison_evolution_label(comparison, files=True), RATE))
    values.append([_clean(frame.at[m.key, "evolution"]) for m in measures])
    kinds[len(columns) - 1] = evolution_kinds
    return Table(COMPARISON_TITLE, columns, values, cell_kinds=kinds)


def comparison_evolution_label(comparison: Comparison, *, files: bool = False) -> str:
    """« Évolution (Bilan d'étape 2021 → Bilan d'étape 2022) »: from the previous campaign
    to the viewed one. In the files, whose cells are numbers, the rates' rows are changes
    in points, which the label says."""
    label = f"Évolution ({comparison.previous.title} → {comparison.current.title})"
    if files and any(comparison.evolution_kind(m) == POINTS for m in comparison.measures):
        label += " (points pour les taux)"
    return label


def _households(consolidation: Consolidation) -> Table | None:
    if consolidation.field_counts is None:
        return None
    return _frame_table(
        HOUSEHOLDS_TITLE,
        consolidation.field_counts,
        list(consolidation.field_count_columns),
        frozen=2,
    )


def table_builders(consolidation: Consolidation) -> dict[str, Callable[[], Table | None]]:
    """Each table's key and how to build it (None: the consolidation has no such table)."""
    measures = measure_columns(consolidation.measures)
    builders: dict[str, Callable[[], Table | None]] = {
        "national": lambda: _synthesis(consolidation),
        "procedures": lambda: _procedures(consolidation) if consolidation.procedures else None,
        "comparaison": lambda: _comparison(consolidation),
        "regions": lambda: _frame_table(
            REGIONS_TITLE, consolidation.by_region, list(REGION_COLUMNS) + measures, frozen=1
        ),
        "departements": lambda: _frame_table(
            TERRITORIES_TITLE,
            consolidation.by_territory,
            list(TERRITORY_COLUMNS) + measures,
            frozen=2,
        ),
        "reponses": lambda: _frame_table(
            ANSWERS_TITLE,
            consolidation.answers,
            list(consolidation.meta_columns) + list(consolidation.answer_columns),
            frozen=2,
        ),
    }
    for group in consolidation.groups:
        builders[f"{GROUP_PREFIX}{group.key}"] = lambda group=group: _frame_table(
            group.label, group.frame, group.columns, frozen=2
        )
    builders["menages"] = lambda: _households(consolidation)
    return builders


def workbook_tables(consolidation: Consolidation) -> list[Table]:
    """The tables of the workbook, in the order of its sheets."""
    builders = table_builders(consolidation)
    order = ["national", "procedures", "comparaison", "regions", "departements", "reponses"]
    order += [f"{GROUP_PREFIX}{group.key}" for group in consolidation.groups]
    order += ["menages"]
    return [table for table in (builders[key]() for key in order) if table is not None]


def is_typed(value: Any, kind: str) -> bool:
    """Whether ``value`` is what a column of ``kind`` holds (a date, a number)."""
    if kind == DATE:
        return isinstance(value, datetime.date)
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)
