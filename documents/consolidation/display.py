"""The consolidated tables as the page shows them: French text in every cell, « — » when
empty, rows sorted on the server by the column a reader chose (``?tri=<key>&ordre=asc|desc``,
so sorting works without JavaScript), headers that say how the table is sorted.

Pure functions over a :class:`documents.consolidation.frames.Consolidation`; what the page
gathers for a person's scope is ``documents.consolidation.page``. Imports ``vocabulary``,
``rules``, ``frames``, ``format``, ``tables`` and ``status_chart``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd

from documents.consolidation.format import measure_text, value_text
from documents.consolidation.frames import Comparison, Consolidation, is_missing
from documents.consolidation.rules import RuleKind
from documents.consolidation.status_chart import StatusChart
from documents.consolidation.tables import comparison_evolution_label, measure_columns
from documents.consolidation.vocabulary import (
    CODE,
    DEPARTEMENT,
    INTEGER,
    RATE,
    REGION,
    REGION_COLUMNS,
    TERRITORY_COLUMNS,
    Column,
    Measure,
    Procedure,
)
from portal.selectors import collation_key

ASCENDING, DESCENDING = "asc", "desc"
ARIA_SORT = {ASCENDING: "ascending", DESCENDING: "descending"}


@dataclass(frozen=True)
class Sort:
    key: str
    order: str  # ASCENDING or DESCENDING

    @property
    def descending(self) -> bool:
        return self.order == DESCENDING


def sort_from(params: Mapping[str, str]) -> Sort | None:
    """The sort a reader asked for (``tri``, ``ordre``); checked against each table's keys."""
    key = (params.get("tri") or "").strip()
    order = params.get("ordre") or ASCENDING
    if not key:
        return None
    return Sort(key, order if order in ARIA_SORT else ASCENDING)


@dataclass(frozen=True)
class Header:
    key: str
    label: str
    numeric: bool
    sort_url: str = ""  # empty: not sortable
    aria_sort: str = ""  # "ascending" / "descending" on the sorted column
    next_order_label: str = ""  # « croissant » / « décroissant », for screen readers


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False
    link: str = ""
    is_header: bool = False  # the row's name: <th scope="row">
    key: str = ""


@dataclass(frozen=True)
class Row:
    key: str
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    id: str
    caption: str
    headers: list[Header]
    rows: list[Row]
    sorted_by: Sort | None = None
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Sorting
# ---------------------------------------------------------------------------------------


def _text_key(values: pd.Series) -> pd.Series:
    return values.map(lambda value: pd.NA if is_missing(value) else collation_key(str(value)))


def sorted_frame(frame: pd.DataFrame, *, sort: Sort | None, columns: Sequence[Column]):
    """The rows in the asked order, empty values last whatever the order; unchanged when
    the table has no such column."""
    kinds = {column.key: column for column in columns}
    if sort is None or sort.key not in kinds or sort.key not in frame.columns:
        return frame
    column = kinds[sort.key]
    return frame.sort_values(
        sort.key,
        ascending=not sort.descending,
        na_position="last",
        kind="stable",
        key=None if column.is_numeric else _text_key,
    )


def _sort_url(*, query: Mapping[str, str], key: str, order: str, anchor: str) -> str:
    params = {k: v for k, v in query.items() if v and k not in ("tri", "ordre")}
    return f"?{urlencode({**params, 'tri': key, 'ordre': order})}#{anchor}"


def _headers(
    columns: Sequence[Column], *, sort: Sort | None, query: Mapping[str, str], anchor: str
) -> list[Header]:
    headers = []
    for column in columns:
        sorted_here = sort is not None and sort.key == column.key
        if sorted_here:
            order = ASCENDING if sort.descending else DESCENDING
        else:
            order = DESCENDING if column.is_numeric else ASCENDING
        headers.append(
            Header(
                key=column.key,
                label=column.label,
                numeric=column.is_numeric,
                sort_url=_sort_url(query=query, key=column.key, order=order, anchor=anchor),
                aria_sort=ARIA_SORT[sort.order] if sorted_here else "",
                next_order_label="croissant" if order == ASCENDING else "décroissant",
            )
        )
    return headers


# ---------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------


def _frame_rows(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    *,
    row_key: str,
    row_header: str,
    links: Mapping[str, str] | None = None,
) -> list[Row]:
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for column in columns:
            value = record.get(column.key)
            link = ""
            if links and column.key == row_header and not is_missing(value):
                link = links.get(str(record[row_key]), "")
            cells.append(
                Cell(
                    text=value_text(value, column.kind),
                    numeric=column.is_numeric,
                    link=link,
                    is_header=column.key == row_header,
                    key=column.key,
                )
            )
        rows.append(Row(str(record[row_key]), cells))
    return rows


def _totals_table(
    frame: pd.DataFrame,
    *,
    columns: list[Column],
    table_id: str,
    caption: str,
    row_key: str,
    row_header: str,
    sort: Sort | None,
    query: Mapping[str, str],
    links: Mapping[str, str] | None,
) -> Table:
    return Table(
        id=table_id,
        caption=caption,
        headers=_headers(columns, sort=sort, query=query, anchor=table_id),
        rows=_frame_rows(
            sorted_frame(frame, sort=sort, columns=columns),
            columns,
            row_key=row_key,
            row_header=row_header,
            links=links,
        ),
        sorted_by=sort if sort and sort.key in {c.key for c in columns} else None,
    )


def territory_table(
    consolidation: Consolidation,
    *,
    measures: Sequence[Measure],
    sort: Sort | None,
    query: Mapping[str, str],
    links: Mapping[str, str] | None = None,
) -> Table:
    """One row per territory of the scope, the headline figures as columns."""
    return _totals_table(
        consolidation.by_territory,
        columns=list(TERRITORY_COLUMNS) + measure_columns(measures),
        table_id="par-territoire",
        caption="Par territoire",
        row_key=CODE,
        row_header=DEPARTEMENT,
        sort=sort,
        query=query,
        links=links,
    )


def region_table(
    consolidation: Consolidation,
    *,
    measures: Sequence[Measure],
    sort: Sort | None,
    query: Mapping[str, str],
    links: Mapping[str, str] | None = None,
) -> Table:
    """One row per region of the scope, the headline figures as columns."""
    return _totals_table(
        consolidation.by_region,
        columns=list(REGION_COLUMNS) + measure_columns(measures),
        table_id="par-region",
        caption="Par région",
        row_key=REGION,
        row_header=REGION,
        sort=sort,
        query=query,
        links=links,
    )


def synthesis_table(consolidation: Consolidation) -> Table:
    """Every consolidated figure of the scope, one per row."""
    row = consolidation.national_row
    return Table(
        id="synthese",
        caption=f"Toutes les valeurs consolidées — {consolidation.scope_label}",
        headers=[Header("indicateur", "Indicateur", False), Header("valeur", "Valeur", True)],
        rows=[
            Row(
                m.key,
                [
                    Cell(m.label, is_header=True, key="indicateur"),
                    Cell(measure_text(row.get(m.key), m), numeric=True, key="valeur"),
                ],
            )
            for m in consolidation.measures
            if m.rule != RuleKind.EVOLUTION
        ],
    )


def procedures_table(procedures: Sequence[Procedure], *, scope_label: str) -> Table:
    return Table(
        id="procedures",
        caption=f"Procédures — {scope_label}",
        headers=[
            Header("procedure", "Procédure", False),
            Header("n1", "Année N-1", True),
            Header("n", "Année N", True),
            Header("evolution", "Évolution", True),
        ],
        rows=[
            Row(
                p.key,
                [
                    Cell(p.label, is_header=True, key="procedure"),
                    Cell(value_text(p.n1, INTEGER), numeric=True, key="n1"),
                    Cell(value_text(p.n, INTEGER), numeric=True, key="n"),
                    Cell(value_text(p.evolution, RATE, signed=True), numeric=True, key="evolution"),
                ],
            )
            for p in procedures
        ],
    )


def comparison_table(comparison: Comparison, *, scope_label: str) -> Table:
    """The scope's figures in each opened campaign of the form, oldest first, and the
    change from the previous campaign to the viewed one (in points for rates)."""
    headers = [Header("indicateur", "Indicateur", False)]
    headers += [
        Header(comparison.column(campaign), campaign.title, True)
        for campaign in comparison.campaigns
    ]
    headers.append(Header("evolution", comparison_evolution_label(comparison), True))
    rows = []
    for measure in comparison.measures:
        values = comparison.frame.loc[measure.key]
        cells = [Cell(measure.label, is_header=True, key="indicateur")]
        cells += [
            Cell(
                value_text(values[comparison.column(c)], measure.kind),
                numeric=True,
                key=comparison.column(c),
            )
            for c in comparison.campaigns
        ]
        evolution = value_text(values["evolution"], comparison.evolution_kind(measure), signed=True)
        cells.append(Cell(evolution, numeric=True, key="evolution"))
        rows.append(Row(measure.key, cells))
    return Table(
        id="comparaison",
        caption=f"Comparaison entre les campagnes du formulaire — {scope_label}",
        headers=headers,
        rows=rows,
    )


def field_counts_table(frame: pd.DataFrame, columns: Sequence[Column]) -> Table:
    """What the operators' household files give for the campaign's period: counts only."""
    return Table(
        id="dossiers-menages",
        caption="Décomptes des dossiers ménages sur la période de la campagne",
        headers=[Header(c.key, c.label, c.is_numeric) for c in columns],
        rows=_frame_rows(frame, columns, row_key=CODE, row_header=DEPARTEMENT),
        notes=[
            "Décomptes tirés des dossiers ménages tenus par les opérateurs : aucun nom ni "
            "aucune donnée personnelle."
        ],
    )


def status_table(chart: StatusChart) -> Table:
    """The status chart's figures, as a table."""
    rows = [
        Row(
            part.key,
            [
                Cell(part.label, is_header=True, key="statut"),
                Cell(value_text(part.count, INTEGER), numeric=True, key="nombre"),
            ],
        )
        for part in chart.parts
    ]
    rows.append(
        Row(
            "attendues",
            [
                Cell("Réponses attendues", is_header=True, key="statut"),
                Cell(value_text(chart.expected, INTEGER), numeric=True, key="nombre"),
            ],
        )
    )
    return Table(
        id=chart.table_id,
        caption="État des réponses",
        headers=[Header("statut", "Statut", False), Header("nombre", "Réponses", True)],
        rows=rows,
        notes=[f"Dont en retard : {chart.late_text}."] if chart.late else [],
    )
