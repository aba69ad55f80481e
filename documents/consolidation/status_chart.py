"""The campaign's answers stacked by where they stand, drawn on the server as SVG (readable
without JavaScript), from the tracker's counts (``forms_app.tracker.TrackerCounts``).

A pure function, :func:`answer_status_bar`: it returns what the template draws — segments
in percent of the bar's length, French labels, a title and a text alternative; the
template escapes every text. Imports ``vocabulary``, ``format`` and ``charts`` (the width
of the bar charts).
"""

from __future__ import annotations

from dataclasses import dataclass

from documents.consolidation.charts import WIDTH
from documents.consolidation.format import value_text
from documents.consolidation.vocabulary import INTEGER
from portal.charts import stacked_segments

STATUS_HEIGHT = 64
STATUS_BAR_TOP = 8
STATUS_BAR_HEIGHT = 34
MIN_LABELLED_WIDTH = 4.0  # percent: narrower segments carry their count in the legend only


def _count_text(count: int) -> str:
    return value_text(count, INTEGER)


@dataclass(frozen=True)
class StatusPart:
    key: str
    label: str
    count: int

    @property
    def text(self) -> str:
        """The count grouped the French way: « 1 234 »."""
        return _count_text(self.count)


@dataclass(frozen=True)
class StatusSegment:
    """A part of the stacked bar: ``x``, ``width`` and ``center`` in percent of its length."""

    key: str
    label: str
    count: int
    text: str
    x: float
    width: float
    center: float


@dataclass(frozen=True)
class StatusChart:
    key: str
    title: str
    description: str
    summary: str
    table_id: str
    parts: list[StatusPart]  # the legend and the table: every status, empty ones included
    segments: list[StatusSegment]
    expected: int
    late: int
    width: int = WIDTH
    height: int = STATUS_HEIGHT
    bar_top: int = STATUS_BAR_TOP
    bar_height: int = STATUS_BAR_HEIGHT

    @property
    def label_y(self) -> float:
        return self.bar_top + self.bar_height / 2

    @property
    def labelled(self) -> list[StatusSegment]:
        return [s for s in self.segments if s.width >= MIN_LABELLED_WIDTH]

    @property
    def late_text(self) -> str:
        return _count_text(self.late)


def answer_status_bar(*, counts, table_id: str = "etat-des-reponses") -> StatusChart:
    """(c) The expected answers stacked by where they stand, from the tracker's counts
    (``forms_app.tracker.TrackerCounts``): accepted, transmitted and awaiting validation,
    in progress (draft or returned), not started; the late ones are said in words."""
    parts = [
        StatusPart("acceptee", "Acceptées", counts.accepted),
        StatusPart("transmise", "Transmises, en attente de validation", counts.awaiting),
        StatusPart("en_cours", "En cours (brouillon ou renvoyée)", counts.in_progress),
        StatusPart("a_commencer", "Non commencées", counts.not_started),
    ]
    title = "État des réponses"
    listed = ", ".join(f"{part.label.lower()} : {part.text}" for part in parts)
    summary = (
        f"{title} : {_count_text(counts.transmitted)} transmise"
        f"{'s' if counts.transmitted > 1 else ''} sur {_count_text(counts.expected)} attendue"
        f"{'s' if counts.expected > 1 else ''} — {listed}"
        + (f" ; {_count_text(counts.late)} en retard" if counts.late else "")
        + "."
    )
    segments = [
        StatusSegment(s.key, s.label, s.count, _count_text(s.count), s.x, s.width, s.center)
        for s in stacked_segments((part.key, part.label, part.count) for part in parts)
    ]
    return StatusChart(
        key="graphique-reponses",
        title=title,
        description=summary,
        summary=summary,
        table_id=table_id,
        parts=parts,
        segments=segments,
        expected=counts.expected,
        late=counts.late,
    )
