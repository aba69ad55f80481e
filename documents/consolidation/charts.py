"""The consolidated tables' charts, drawn on the server as SVG (readable without JavaScript).

Pure functions: they take figures already consolidated (``documents.consolidation.frames``) or
counted (``forms_app.tracker``) and return what the templates draw — positions in the SVG's
viewBox, French labels, a title and a text alternative. Templates escape every text; no
markup is built here. Colours come from the DSFR palette (``documents/consolidation.css``)
and are never the only cue: every bar carries its value, paired bars their series' name.

- :func:`territory_bars`: one horizontal bar per territory in scope, largest first;
- :func:`procedure_bars`: N-1 and N side by side per procedure, with the change in %;
- the campaign's answers stacked by where they stand: ``documents.consolidation.status_chart``.

Imports ``vocabulary``, ``frames`` and ``format``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from documents.consolidation.format import value_text
from documents.consolidation.frames import is_missing
from documents.consolidation.vocabulary import CODE, DEPARTEMENT, INTEGER, RATE, Measure, Procedure

# Geometry of the horizontal bar charts, in viewBox units (about pixels at full width).
WIDTH = 760
LABEL_RIGHT = 262  # labels end here (text-anchor: end)
PLOT_LEFT = 270
VALUE_ROOM = 112  # after the longest bar: its value (« N-1 : 29 994 »)
NOTE_ROOM = 76  # right column of paired charts: the change in %
TOP = 6
LINE_HEIGHT = 15
LABEL_CHARS = 36  # a label longer than this wraps onto a second line
BAR_HEIGHT = 16
PAIR_BAR_HEIGHT = 13
PAIR_GAP = 3
ROW_GAP = 7


# ---------------------------------------------------------------------------------------
# Horizontal bars
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    key: str
    label: str  # in the legend and before each value of a paired chart
    css: str  # colour class of documents/consolidation.css


@dataclass(frozen=True)
class Bar:
    series: Series
    value: float | None
    text: str  # the value in French, drawn after the bar
    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_y: float


@dataclass(frozen=True)
class LabelLine:
    text: str
    y: float


@dataclass(frozen=True)
class BarRow:
    key: str
    label: str
    lines: list[LabelLine]  # the label, wrapped
    bars: list[Bar]
    note: str = ""  # the change in % of a paired row
    note_y: float = 0.0


@dataclass(frozen=True)
class BarChart:
    key: str  # the figure's id in the page
    title: str
    description: str  # every value, in words: the SVG's <desc>
    summary: str  # the aria-label: what the chart says, in one sentence
    table_id: str  # the table that carries the same figures
    series: list[Series]
    rows: list[BarRow]
    width: int
    height: int
    label_right: int
    plot_left: int
    note_x: float | None = None
    note_title: str = ""

    @property
    def legend(self) -> bool:
        return len(self.series) > 1


@dataclass(frozen=True)
class _Item:
    key: str
    label: str
    values: tuple[float | None, ...]  # one per series
    note: str = ""


def _number(value) -> float | None:
    return None if is_missing(value) else float(value)


def _label_lines(label: str) -> list[str]:
    lines = textwrap.wrap(label, LABEL_CHARS) or [label]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LABEL_CHARS, placeholder="…")]
    return lines


@dataclass(frozen=True)
class _Geometry:
    """What every row of one bar chart shares."""

    series: tuple[Series, ...]
    kind: str
    plot_width: float
    largest: float
    bar_height: int
    bars_height: int

    @property
    def paired(self) -> bool:
        return len(self.series) > 1


def _bars(item: _Item, *, geometry: _Geometry, bar_y: float) -> list[Bar]:
    bars = []
    for number, (one, value) in enumerate(zip(geometry.series, item.values, strict=True)):
        largest = geometry.largest
        width = geometry.plot_width * max(value or 0.0, 0.0) / largest if largest else 0.0
        top = bar_y + number * (geometry.bar_height + PAIR_GAP)
        shown = value_text(value, geometry.kind)
        bars.append(
            Bar(
                series=one,
                value=value,
                text=f"{one.label} : {shown}" if geometry.paired else shown,
                x=PLOT_LEFT,
                y=round(top, 1),
                width=round(width, 1),
                height=geometry.bar_height,
                text_x=round(PLOT_LEFT + width + 5, 1),
                text_y=round(top + geometry.bar_height / 2, 1),
            )
        )
    return bars


def _bar_row(item: _Item, *, geometry: _Geometry, y: float) -> tuple[BarRow, float]:
    """The row of ``item`` drawn from ``y`` down, and its height."""
    lines = _label_lines(item.label)
    row_height = max(geometry.bars_height, len(lines) * LINE_HEIGHT)
    middle = y + row_height / 2
    first_line = middle - (len(lines) - 1) * LINE_HEIGHT / 2
    row = BarRow(
        key=item.key,
        label=item.label,
        lines=[
            LabelLine(text, round(first_line + i * LINE_HEIGHT, 1)) for i, text in enumerate(lines)
        ],
        bars=_bars(item, geometry=geometry, bar_y=middle - geometry.bars_height / 2),
        note=item.note,
        note_y=round(middle, 1),
    )
    return row, row_height


def _bar_chart(
    *,
    key: str,
    title: str,
    description: str,
    summary: str,
    table_id: str,
    series: Sequence[Series],
    items: Sequence[_Item],
    kind: str,
    note_title: str = "",
) -> BarChart:
    with_notes = any(item.note for item in items)
    plot_right = WIDTH - VALUE_ROOM - (NOTE_ROOM if with_notes else 0)
    bar_height = PAIR_BAR_HEIGHT if len(series) > 1 else BAR_HEIGHT
    geometry = _Geometry(
        series=tuple(series),
        kind=kind,
        plot_width=plot_right - PLOT_LEFT,
        largest=max(
            (value for item in items for value in item.values if value is not None and value > 0),
            default=0.0,
        ),
        bar_height=bar_height,
        bars_height=len(series) * bar_height + (len(series) - 1) * PAIR_GAP,
    )
    rows, y = [], float(TOP)
    for item in items:
        row, row_height = _bar_row(item, geometry=geometry, y=y)
        rows.append(row)
        y += row_height + ROW_GAP
    return BarChart(
        key=key,
        title=title,
        description=description,
        summary=summary,
        table_id=table_id,
        series=list(series),
        rows=rows,
        width=WIDTH,
        height=round(y - ROW_GAP + TOP),
        label_right=LABEL_RIGHT,
        plot_left=PLOT_LEFT,
        note_x=WIDTH - 4 if with_notes else None,
        note_title=note_title,
    )


def _item_text(item: _Item, kind: str) -> str:
    return f"{item.label} : {value_text(item.values[0], kind)}"


def territory_bars(
    *, by_territory: pd.DataFrame, measure: Measure, table_id: str = "par-territoire"
) -> BarChart | None:
    """(a) One bar per territory of the scope for ``measure`` (the households met), largest
    first; a territory without a filed answer keeps its row, with « — » and no bar."""
    if measure.key not in by_territory.columns or not len(by_territory):
        return None
    items = [
        _Item(
            key=str(row[CODE]),
            label=f"{row[DEPARTEMENT]} ({row[CODE]})",
            values=(_number(row[measure.key]),),
        )
        for row in by_territory.to_dict("records")
    ]
    items.sort(key=lambda item: (item.values[0] is None, -(item.values[0] or 0.0), item.key))
    known = [item for item in items if item.values[0] is not None]
    series = Series("valeur", measure.label, "portal-chart--n")
    title = f"{measure.label} par territoire"
    listed = " ; ".join(_item_text(item, measure.kind) for item in items)
    count = f"{len(items)} territoire{'s' if len(items) > 1 else ''}"
    if known:
        extremes = [f"le plus élevé : {_item_text(known[0], measure.kind)}"]
        if len(known) > 1:
            extremes.append(f"le plus faible : {_item_text(known[-1], measure.kind)}")
        summary = (
            f"{title} ({count}), du plus élevé au plus faible — {', '.join(extremes)}. "
            "Les valeurs sont dans le tableau « Par territoire »."
        )
    else:
        summary = f"{title} ({count}) : aucune valeur transmise."
    return _bar_chart(
        key="graphique-territoires",
        title=title,
        description=f"{title}, du plus élevé au plus faible. {listed}.",
        summary=summary,
        table_id=table_id,
        series=[series],
        items=items,
        kind=measure.kind,
    )


N1_SERIES = Series("n1", "N-1", "portal-chart--n1")
N_SERIES = Series("n", "N", "portal-chart--n")


def procedure_bars(
    *, procedures: Sequence[Procedure], scope_label: str, table_id: str = "procedures"
) -> BarChart | None:
    """(b) Each procedure figure's N-1 and N side by side, with the change in %."""
    if not procedures or all(p.n is None and p.n1 is None for p in procedures):
        return None
    items = [
        _Item(
            key=procedure.key,
            label=procedure.label,
            values=(procedure.n1, procedure.n),
            note=value_text(procedure.evolution, RATE, signed=True),
        )
        for procedure in procedures
    ]
    title = f"Procédures : année N-1 et année N — {scope_label}"
    listed = " ; ".join(
        f"{p.label} : N-1 {value_text(p.n1, INTEGER)}, N {value_text(p.n, INTEGER)}, "
        f"évolution {value_text(p.evolution, RATE, signed=True)}"
        for p in procedures
    )
    return _bar_chart(
        key="graphique-procedures",
        title=title,
        description=f"{title}. {listed}.",
        summary=(
            f"{title} : deux barres par procédure, N-1 puis N, et l'évolution en pourcentage. "
            "Les valeurs sont dans le tableau « Procédures »."
        ),
        table_id=table_id,
        series=[N1_SERIES, N_SERIES],
        items=items,
        kind=INTEGER,
        note_title="Évolution",
    )
