"""The one French writing of values, for pages, e-mails, Word documents, tables and charts.

« 1er juillet 2021 », « 2 juillet 2021 », « 1er juillet 2021 à 09:05 », « 29/12/2020 »,
« 1 227 856 € », « 12,50 € », « 117 600,00 € », « 2 845 », « 1,21 », « 12,5 % »,
« 0,8 pt », « 1,5 Mo », and a year as « 2021 » (never grouped: « 2 021 » is no year).

Numbers group their thousands with a narrow no-break space (U+202F) and take a decimal
comma; a unit (€, %, pt) follows a no-break space (U+00A0). Rounding is Python's Decimal
default (half to even: 2,5 → « 2 », 0,125 € → « 0,12 € »). A negative number keeps the
hyphen-minus (« -1 234 »): a caller wanting the typographic minus sign replaces it.
Empty values (None, "") and what is not a number are written as "" (no figure).

A leaf module: it imports the standard library only, so that every layer may use it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

THOUSANDS_SEPARATOR: Final = "\u202f"  # espace fine insécable
BEFORE_UNIT: Final = "\u00a0"  # espace insécable
MONTHS: Final = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

Number = Decimal | int | float | str | None


def as_decimal(value: Any) -> Decimal | None:
    """``value`` as a finite Decimal, or None when it is empty or no number.

    A float is read by its shortest writing (0.1 is 0.1, not 0.1000000000000000055…); a
    text may be written the French way (« 1 234,5 », with ordinary or narrow spaces)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).replace(THOUSANDS_SEPARATOR, "").replace(BEFORE_UNIT, "")
        try:
            number = Decimal(text.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            return None
    return number if number.is_finite() else None


def _decimals_of(number: Decimal, *, keep_zeros: bool) -> int:
    """The decimals a number is written with when none are asked: its own (trailing zeros
    kept with ``keep_zeros``: « 12.50 » two, « 12.00 » two), none when it is whole."""
    if not keep_zeros and number == number.to_integral_value():
        return 0
    return max(-number.as_tuple().exponent, 0)


def number(value: Number, *, decimals: int | None = None, keep_zeros: bool = False) -> str:
    """« 1 234 », « 3,5 », « -12,25 »: thousands grouped, decimal comma.

    ``decimals`` fixed (rounded half to even), or when None the value's own: « 12.5 » one,
    « 12.00 » none, or two with ``keep_zeros`` (an answer shown as it was typed)."""
    amount = as_decimal(value)
    if amount is None:
        return ""
    if decimals is None:
        decimals = _decimals_of(amount, keep_zeros=keep_zeros)
    formatted = f"{amount:,.{decimals}f}"
    return formatted.replace(",", THOUSANDS_SEPARATOR).replace(".", ",")


def euros(value: Number) -> str:
    """An amount in euros, cents only when there are some: « 1 227 856 € », « 12,50 € »."""
    amount = as_decimal(value)
    if amount is None:
        return ""
    decimals = 0 if amount == amount.to_integral_value() else 2
    return f"{number(amount, decimals=decimals)}{BEFORE_UNIT}€"


def euros_cents(value: Number) -> str:
    """An amount in euros always with its cents: « 117 600,00 € »."""
    shown = number(value, decimals=2)
    return f"{shown}{BEFORE_UNIT}€" if shown else ""


def percent(value: Number, *, decimals: int | None = 1, keep_zeros: bool = False) -> str:
    """A value already in percent: « 62,5 % » from 62.5 (``decimals`` and ``keep_zeros`` as
    for ``number``)."""
    shown = number(value, decimals=decimals, keep_zeros=keep_zeros)
    return f"{shown}{BEFORE_UNIT}%" if shown else ""


def points(value: Number, *, decimals: int = 1) -> str:
    """Percentage points, a difference of two percents: « 0,8 pt » from 0.8 (a difference of
    two fractions is multiplied by 100 by the caller)."""
    shown = number(value, decimals=decimals)
    return f"{shown}{BEFORE_UNIT}pt" if shown else ""


def file_size(size: int) -> str:
    """A size in bytes in French units: « 512 o », « 1,5 Ko », « 3,2 Go » (« Go » the
    largest)."""
    value = float(size)
    for unit in ("o", "Ko", "Mo", "Go"):
        if value < 1024 or unit == "Go":
            text = f"{value:.0f}" if unit == "o" else f"{value:.1f}"
            return f"{text.replace('.', ',')} {unit}"
        value /= 1024
    return f"{size} o"


def year(value: Number | datetime.date) -> str:
    """A year, never grouped: « 2021 » (from 2021, "2021", 2021.0, Decimal or a date)."""
    if isinstance(value, datetime.date):
        return str(value.year)
    amount = as_decimal(value)
    if amount is None:
        return ""
    if amount != amount.to_integral_value():
        return str(value)  # no year: shown as given rather than rounded into one
    return str(int(amount))


def as_date(value: Any) -> datetime.date | None:
    """A date from a date, a datetime (its own day, not converted) or an ISO text
    (« 2021-07-01 », a time after it ignored); None when empty or unreadable."""
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def date_long(value: Any) -> str:
    """A date in words: « 1er juillet 2021 », « 2 juillet 2021 ». An empty value is "" and a
    text that is no ISO date is shown as given."""
    day = as_date(value)
    if day is None:
        return value if isinstance(value, str) else ""
    ordinal = "1er" if day.day == 1 else str(day.day)
    return f"{ordinal} {MONTHS[day.month - 1]} {day.year}"


def datetime_long(value: Any) -> str:
    """A moment in words: « 1er juillet 2021 à 09:05 » (the time as given: a template filter
    first puts an aware datetime in the current time zone). A date alone is written without
    a time, an empty value is ""."""
    if not isinstance(value, datetime.datetime):
        return date_long(value)
    return f"{date_long(value)} à {value.hour:02d}:{value.minute:02d}"


def date_short(value: Any) -> str:
    """A date in figures: « 29/12/2020 ». An empty value is "" and a text that is no ISO
    date is shown as given."""
    day = as_date(value)
    if day is None:
        return value if isinstance(value, str) else ""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
