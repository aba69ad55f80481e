"""The French filters every template may use: « 29 décembre 2020 », « 117 600,00 € »,
« 1 234 », « 62,5 % », « Oui »/« Non » and a choice's label (``FRENCH_FILTERS``, installed in
``documents.rendering.sandbox.PortalSandbox``). Their names are the templates' own (French);
each writes through ``portal.formatting``, the portal's one French writing of values."""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context

from forms_app.field_types import field_type
from portal import formatting


def date_fr(value: Any, style: str = "long") -> str:
    """« 1er juillet 2021 », « 29 décembre 2020 » (``style="court"``: « 29/12/2020 »)."""
    return formatting.date_short(value) if style == "court" else formatting.date_long(value)


def montant(value: Any) -> str:
    """« 117 600,00 € »."""
    return formatting.euros_cents(value)


def nombre(value: Any, decimales: int | None = None) -> str:
    """« 1 234 » or « 3,5 »: thousands grouped, decimal comma."""
    return formatting.number(value, decimals=decimales)


def pourcentage(value: Any, decimales: int = 1) -> str:
    """« 62,5 % » from 62.5."""
    return formatting.percent(value, decimals=decimales)


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
