"""Geometry shared by the portal's server-drawn SVG charts (no JavaScript needed).

The templates draw; this module only places: a stacked bar's segments in percent of its
length, so that a template can set ``x="{{ segment.x }}%"`` in any viewBox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class BarSegment:
    """One part of a stacked bar: ``x`` and ``width`` in percent of the bar's length."""

    key: str
    label: str
    count: int
    x: float
    width: float

    @property
    def center(self) -> float:
        """Where a label centred on the segment goes, in percent of the bar's length."""
        return round(self.x + self.width / 2, 2)


def stacked_segments(parts: Iterable[tuple[str, str, int]]) -> list[BarSegment]:
    """The segments of a bar made of ``(key, label, count)`` parts, in the given order;
    empty parts take no room and the bar is empty when every count is zero."""
    counted = [(key, label, count) for key, label, count in parts if count]
    total = sum(count for _key, _label, count in counted)
    segments, x = [], 0.0
    for key, label, count in counted:
        width = 100 * count / total
        segments.append(BarSegment(key, label, count, round(x, 2), round(width, 2)))
        x += width
    return segments
