"""The French filters every template may use: « 29 décembre 2020 », « 117 600,00 € »,
« 1 234 », « 62,5 % », « Oui »/« Non » and a choice's label (``FRENCH_FILTERS``, installed in
``documents.rendering.sandbox.PortalSandbox``)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateformat import format as date_format
from jinja2 import pass_context

from forms_app.field_types import field_type
from portal.templatetags.portal_format import format_number_fr


def _as_decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace("\u202f", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None


def date_fr(value: Any, style: str = "long") -> str:
    """« 29 décembre 2020 » (``style="court"``: « 29/12/2020 »)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return date_format(value, "d/m/Y" if style == "court" else "j F Y")


def montant(value: Any) -> str:
    """« 117 600,00 € »."""
    number = _as_decimal(value)
    return "" if number is None else f"{format_number_fr(number, decimals=2)}\u00a0€"


def nombre(value: Any, decimales: int | None = None) -> str:
    """« 1 234 » or « 3,5 »: thousands grouped, decimal comma."""
    number = _as_decimal(value)
    if number is None:
        return ""
    if decimales is None:
        decimales = max(-number.as_tuple().exponent, 0) if number != number.to_integral() else 0
    return format_number_fr(number, decimals=decimales)


def pourcentage(value: Any, decimales: int = 1) -> str:
    """« 62,5 % » from 62.5."""
    shown = nombre(value, decimales)
    return f"{shown}\u00a0%" if shown else ""


def oui_non(value: Any) -> str:
    return {True: "Oui", False: "Non", "oui": "Oui", "non": "Non"}.get(value, "")


@pass_context
def libelle(context, value: Any, key: str) -> str:
    """A choice's label: ``{{ brut.q1_mode_creation|libelle("q1_mode_creation") }}``."""
    item = (context.get("_champs") or {}).get(key)
    if item is None:
        return "" if value is None else str(value)
    return field_type(item["type"]).display(value, item["value"])


FRENCH_FILTERS = {
    "date_fr": date_fr,
    "montant": montant,
    "nombre": nombre,
    "pourcentage": pourcentage,
    "oui_non": oui_non,
    "libelle": libelle,
}
