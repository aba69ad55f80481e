"""The one French writing of values (portal.formatting) and the template filters that call
it: every function with zero, negatives, empty values, the inputs its callers pass
(Decimal, float, int, French text), rounding, large numbers, « 1er » and years."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone

from portal import formatting
from portal.formatting import (
    as_date,
    as_decimal,
    date_long,
    date_short,
    datetime_long,
    euros,
    euros_cents,
    file_size,
    number,
    percent,
    points,
    year,
)

NNBSP = "\u202f"  # thousands
NBSP = "\u00a0"  # before a unit


def fr(text: str) -> str:
    """A figure written with « _ » for the thousands space and « ~ » before a unit."""
    return text.replace("_", NNBSP).replace("~", NBSP)


# --- as_decimal -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, Decimal(0)),
        (-3, Decimal(-3)),
        (Decimal("12.50"), Decimal("12.50")),
        (0.1, Decimal("0.1")),  # the float's shortest writing, not its binary expansion
        ("1234.5", Decimal("1234.5")),
        ("1 234,5", Decimal("1234.5")),
        (fr("1_234,5"), Decimal("1234.5")),
        (" 7 ", Decimal(7)),
    ],
)
def test_as_decimal_reads_numbers_and_french_text(value, expected):
    assert as_decimal(value) == expected


@pytest.mark.parametrize(
    "value", [None, "", "abc", "1,2,3", True, False, float("inf"), float("nan"), "NaN"]
)
def test_as_decimal_is_none_for_what_is_no_finite_number(value):
    assert as_decimal(value) is None


# --- number -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0, None, "0"),
        (0, 2, "0,00"),
        (Decimal("0.00"), None, "0"),
        (7, None, "7"),
        (999, None, "999"),
        (1000, None, "1_000"),
        (2845, None, "2_845"),
        (1227856, None, "1_227_856"),
        (123456789012, None, "123_456_789_012"),
        (-1234, None, "-1_234"),
        (-0.5, None, "-0,5"),
        (3.5, None, "3,5"),
        (1.21, None, "1,21"),
        (Decimal("12.50"), None, "12,50"),  # a Decimal keeps its own decimals
        (Decimal("12.5"), 2, "12,50"),
        ("1234.567", 1, "1_234,6"),
        ("1 234,5", None, "1_234,5"),
        (1234.5678, 2, "1_234,57"),
        (2.5, 0, "2"),  # half to even
        (3.5, 0, "4"),
        (0.125, 2, "0,12"),
        (-2.5, 0, "-2"),
        (1e15, None, "1_000_000_000_000_000"),
        (Decimal("1E+3"), None, "1_000"),
    ],
)
def test_number(value, decimals, expected):
    assert number(value, decimals=decimals) == fr(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.50", "12,50"),
        ("12.00", "12,00"),
        (Decimal("3.12"), "3,12"),
        ("12", "12"),
        (1234, "1_234"),
        ("-1234.500", "-1_234,500"),
        (Decimal("1E+2"), "100"),
    ],
)
def test_number_keep_zeros_shows_a_value_as_written(value, expected):
    assert number(value, keep_zeros=True) == fr(expected)


def test_keep_zeros_does_not_change_fixed_decimals():
    assert number("12.00", decimals=1, keep_zeros=True) == "12,0"
    assert number("12.00") == "12"


@pytest.mark.parametrize("value", [None, "", "abc", float("inf"), float("nan"), True])
def test_number_is_empty_for_no_number(value):
    assert number(value) == ""
    assert number(value, decimals=2) == ""


def test_number_uses_the_narrow_no_break_space_and_a_comma():
    text = number(1234567.891, decimals=2)
    assert text == "1\u202f234\u202f567,89"
    assert " " not in text and "." not in text and "\u00a0" not in text


# --- euros ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0~€"),
        (Decimal("0.00"), "0~€"),
        (1227856, "1_227_856~€"),
        (Decimal("3883200"), "3_883_200~€"),
        (Decimal("117600.00"), "117_600~€"),  # whole: no cents
        (12.5, "12,50~€"),
        (Decimal("12.5"), "12,50~€"),
        ("12.50", "12,50~€"),
        (0.29, "0,29~€"),
        (-45.1, "-45,10~€"),
        (-1000, "-1_000~€"),
        (1234.567, "1_234,57~€"),
        (999999999.99, "999_999_999,99~€"),
    ],
)
def test_euros_shows_cents_only_when_there_are_some(value, expected):
    assert euros(value) == fr(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0,00~€"),
        (117600, "117_600,00~€"),
        (Decimal("117600"), "117_600,00~€"),
        ("117600", "117_600,00~€"),
        (12.5, "12,50~€"),
        (-3.456, "-3,46~€"),
        ("1 234,5", "1_234,50~€"),
    ],
)
def test_euros_cents_always_shows_cents(value, expected):
    assert euros_cents(value) == fr(expected)


@pytest.mark.parametrize("function", [euros, euros_cents])
@pytest.mark.parametrize("value", [None, "", "abc"])
def test_euros_are_empty_for_no_amount(function, value):
    assert function(value) == ""


# --- percents and points ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0, 1, "0,0~%"),
        (12.5, 1, "12,5~%"),
        (62.5, 1, "62,5~%"),
        (40.6, 1, "40,6~%"),
        (Decimal("33.333"), 1, "33,3~%"),
        ("7.44", 1, "7,4~%"),
        (-1.04, 1, "-1,0~%"),
        (100, 0, "100~%"),
        (12.25, 1, "12,2~%"),  # half to even
        (1234.5, 1, "1_234,5~%"),
    ],
)
def test_percent(value, decimals, expected):
    assert percent(value, decimals=decimals) == fr(expected)


def test_percent_defaults_to_one_decimal():
    assert percent(12) == fr("12,0~%")


def test_percent_with_the_value_s_own_decimals():
    assert percent("62.5", decimals=None) == fr("62,5~%")
    assert percent("62.50", decimals=None, keep_zeros=True) == fr("62,50~%")
    assert percent("62.00", decimals=None) == fr("62~%")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.8, "0,8~pt"), (0, "0,0~pt"), (-2.25, "-2,2~pt"), (Decimal("12"), "12,0~pt")],
)
def test_points(value, expected):
    assert points(value) == fr(expected)


def test_points_with_decimals():
    assert points(0.8, decimals=2) == fr("0,80~pt")


@pytest.mark.parametrize("function", [percent, points])
@pytest.mark.parametrize("value", [None, "", "abc"])
def test_percents_and_points_are_empty_for_no_value(function, value):
    assert function(value) == ""


# --- file sizes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, "0 o"),
        (512, "512 o"),
        (1023, "1023 o"),
        (1024, "1,0 Ko"),
        (1536, "1,5 Ko"),
        (5 * 1024 * 1024, "5,0 Mo"),
        (3 * 1024**3 + 200 * 1024**2, "3,2 Go"),
        (2048 * 1024**3, "2048,0 Go"),
    ],
)
def test_file_size(size, expected):
    assert file_size(size) == expected


# --- years ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2021, "2021"),
        ("2021", "2021"),
        (2021.0, "2021"),
        (Decimal("2021"), "2021"),
        (Decimal("2021.00"), "2021"),
        (datetime.date(2021, 7, 1), "2021"),
        (datetime.datetime(1999, 12, 31, 23, 59), "1999"),
        (10000, "10000"),
        (0, "0"),
        (None, ""),
        ("", ""),
        ("abc", ""),
    ],
)
def test_year_is_never_grouped(value, expected):
    assert year(value) == expected
    assert NNBSP not in year(value) and " " not in year(value)


def test_a_year_is_not_a_number():
    assert number(2021) == fr("2_021")  # the known slip when a year went through number
    assert year(2021) == "2021"


def test_a_year_with_decimals_is_shown_as_given():
    assert year("2021.5") == "2021.5"


# --- dates ------------------------------------------------------------------------------

MONTHS = [
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
]


@pytest.mark.parametrize("month", range(1, 13))
def test_the_first_of_every_month_is_1er(month):
    assert date_long(datetime.date(2021, month, 1)) == f"1er {MONTHS[month - 1]} 2021"


@pytest.mark.parametrize("day", [2, 9, 10, 11, 21, 31])
def test_other_days_are_plain_numbers(day):
    assert date_long(datetime.date(2021, 7 if day != 31 else 12, day)) == (
        f"{day} {'juillet' if day != 31 else 'décembre'} 2021"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2021, 7, 1), "1er juillet 2021"),
        (datetime.date(2021, 7, 2), "2 juillet 2021"),
        (datetime.date(2020, 12, 29), "29 décembre 2020"),
        (datetime.date(2024, 2, 29), "29 février 2024"),
        (datetime.date(2021, 8, 15), "15 août 2021"),
        (datetime.datetime(2022, 7, 1, 23, 30), "1er juillet 2022"),
        ("2022-07-01", "1er juillet 2022"),
        ("2022-07-01T10:00:00+02:00", "1er juillet 2022"),
        ("2020-12-29", "29 décembre 2020"),
        (None, ""),
        ("", ""),
        ("bientôt", "bientôt"),  # a text that is no date is shown as given
        (20210701, ""),
    ],
)
def test_date_long(value, expected):
    assert date_long(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.datetime(2021, 7, 1, 9, 5), "1er juillet 2021 à 09:05"),
        (datetime.datetime(2021, 7, 2, 23, 59, 59), "2 juillet 2021 à 23:59"),
        (datetime.datetime(2021, 7, 3, 0, 0), "3 juillet 2021 à 00:00"),
        (datetime.date(2021, 7, 1), "1er juillet 2021"),
        ("2021-07-01", "1er juillet 2021"),
        (None, ""),
        ("", ""),
    ],
)
def test_datetime_long(value, expected):
    assert datetime_long(value) == expected


def test_date_long_never_groups_the_year():
    assert date_long(datetime.date(2021, 7, 2)).endswith(" 2021")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2020, 12, 29), "29/12/2020"),
        (datetime.date(2021, 7, 1), "01/07/2021"),
        (datetime.datetime(2021, 1, 5, 8, 0), "05/01/2021"),
        ("2021-03-04", "04/03/2021"),
        (datetime.date(987, 6, 5), "05/06/0987"),
        (None, ""),
        ("", ""),
        ("plus tard", "plus tard"),
    ],
)
def test_date_short(value, expected):
    assert date_short(value) == expected


def test_as_date():
    assert as_date("2021-07-01") == datetime.date(2021, 7, 1)
    assert as_date("2021-13-01") is None
    assert as_date(None) is None
    moment = datetime.datetime(2021, 7, 1, 12, 0)
    assert as_date(moment) is moment


def test_the_module_is_a_leaf():
    """portal.formatting imports the standard library only (every layer may use it)."""
    source = Path(formatting.__file__).read_text(encoding="utf-8")
    imports = [
        line.split()[1]
        for line in source.splitlines()
        if line.startswith(("import ", "from ")) and not line.startswith("from __future__")
    ]
    assert imports and all(name in {"datetime", "decimal", "typing"} for name in imports)


# --- template filters ---------------------------------------------------------------------


def render(text: str, **context) -> str:
    return Template("{% load portal_format %}" + text).render(Context(context))


def test_template_filters_call_the_formatting():
    assert render("{{ v|euros }}", v=Decimal("3883200")) == fr("3_883_200~€")
    assert render("{{ v|euros_cents }}", v=12) == fr("12,00~€")
    assert render("{{ v|number }}", v=2845) == fr("2_845")
    assert render("{{ v|number:2 }}", v=1.5) == fr("1,50")
    assert render("{{ v|percent }}", v=12.5) == fr("12,5~%")
    assert render("{{ v|percent:0 }}", v=12.5) == fr("12~%")
    assert render("{{ v|points }}", v=0.8) == fr("0,8~pt")
    assert render("{{ v|year }}", v=2021) == "2021"
    assert render("{{ v|date_long }}", v=datetime.date(2021, 7, 1)) == "1er juillet 2021"
    assert render("{{ v|date_short }}", v=datetime.date(2021, 7, 1)) == "01/07/2021"
    assert render("{{ v|euros }}|{{ v|date_long }}", v=None) == "|"


def test_date_filters_read_an_aware_datetime_in_the_current_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    moment = datetime.datetime(2021, 6, 30, 22, 30, tzinfo=datetime.UTC)  # 1 July in Paris
    with timezone.override("Europe/Paris"):
        assert render("{{ v|date_long }}", v=moment) == "1er juillet 2021"
        assert render("{{ v|date_short }}", v=moment) == "01/07/2021"
        assert render("{{ v|datetime_long }}", v=moment) == "1er juillet 2021 à 00:30"
