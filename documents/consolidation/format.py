"""The one French writing of a consolidated figure, for the page, its charts and the Word
report alike: « 2 845 », « 1,21 », « 1 227 856 € » (cents only when there are some),
« 40,6 % », « +7,4 % », « −1,0 % », « +0,8 pt », « 29/12/2020 », « — » when empty.

A negative figure takes the minus sign (U+2212, read « moins » by screen readers, never
mistaken for a dash or a hyphen); a signed change takes « + » when it is above zero as
shown. The files keep numbers as numbers (``documents.consolidation.files``).

Imports ``vocabulary``, ``rules``, ``frames`` and ``portal.formatting`` (the portal's one
French writing of values), on which it adds the consolidation's minus sign and signs.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from documents.consolidation.frames import is_missing
from documents.consolidation.rules import RuleKind
from documents.consolidation.vocabulary import (
    DATE,
    DECIMAL,
    EUROS,
    INTEGER,
    NUMERIC_KINDS,
    PERCENT_VALUE,
    POINTS,
    RATE,
    Measure,
)
from portal import formatting

EMPTY = "—"
MINUS = "\u2212"


def value_text(value: Any, kind: str, *, signed: bool = False) -> str:
    """``value`` of ``kind`` (``documents.consolidation.vocabulary``'s column kinds) in French;
    ``signed``: a change, « + » before a figure above zero."""
    if is_missing(value) or value == "":
        return EMPTY
    if kind not in NUMERIC_KINDS:
        if kind == DATE and isinstance(value, datetime.date):
            return formatting.date_short(value)
        return str(value)
    number = float(value)
    if not math.isfinite(number):
        return EMPTY
    if kind == INTEGER:
        text = formatting.number(round(number), decimals=0)
    elif kind == DECIMAL:
        text = formatting.number(round(number, 2))
    elif kind == EUROS:
        text = formatting.euros(round(number, 2))
    elif kind == PERCENT_VALUE:
        text = formatting.percent(number, decimals=1)
    elif kind == RATE:
        text = formatting.percent(number * 100, decimals=1)
    elif kind == POINTS:  # a difference of two fractions: 0.008 is 0,8 point
        text = formatting.points(number * 100, decimals=1)
    else:
        text = formatting.number(number)
    shown_zero = not any(digit in text for digit in "123456789")
    if text.startswith("-"):
        text = text[1:] if shown_zero else f"{MINUS}{text[1:]}"
    elif signed and not shown_zero:
        text = f"+{text}"
    return text


def measure_text(value: Any, measure: Measure) -> str:
    """A consolidated figure by its measure: a year-on-year change signed."""
    return value_text(value, measure.kind, signed=measure.rule == RuleKind.EVOLUTION)
