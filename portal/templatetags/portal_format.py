"""The French writing of values for Django templates: each filter is one function of
portal.formatting (« 1er juillet 2021 », « 3 883 200 € », « 12,5 % », « 2021 »)."""

from __future__ import annotations

from django import template

from portal import formatting
from portal.formatting import date_long, date_short, datetime_long, euros, euros_cents, year

register = template.Library()

register.filter("euros", euros)
register.filter("euros_cents", euros_cents)
register.filter("year", year)
# Like Django's « date » filter, an aware datetime is first put in the current time zone.
register.filter("date_long", date_long, expects_localtime=True)
register.filter("date_short", date_short, expects_localtime=True)
register.filter("datetime_long", datetime_long, expects_localtime=True)


@register.filter
def number(value, decimals=None) -> str:
    """``{{ value|number }}``, ``{{ value|number:2 }}``: formatting.number."""
    return formatting.number(value, decimals=None if decimals is None else int(decimals))


@register.filter
def percent(value, decimals=1) -> str:
    """``{{ value|percent }}``, ``{{ value|percent:0 }}``: formatting.percent."""
    return formatting.percent(value, decimals=int(decimals))


@register.filter
def points(value, decimals=1) -> str:
    """``{{ value|points }}``: formatting.points."""
    return formatting.points(value, decimals=int(decimals))
