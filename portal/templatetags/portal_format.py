"""French number formatting for templates: « 3 883 200 € »."""

from decimal import Decimal

from django import template

register = template.Library()

THOUSANDS_SEPARATOR = "\u202f"  # espace fine insécable
BEFORE_UNIT = "\u00a0"  # espace insécable


def format_number_fr(value: Decimal | int | float, *, decimals: int = 0) -> str:
    """Groups thousands with a narrow no-break space and uses a decimal comma."""
    formatted = f"{Decimal(value):,.{decimals}f}"
    return formatted.replace(",", THOUSANDS_SEPARATOR).replace(".", ",")


@register.filter
def euros(value) -> str:
    """An amount in euros, without cents when it is whole: « 117 600 € »."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    decimals = 0 if amount == amount.to_integral_value() else 2
    return f"{format_number_fr(amount, decimals=decimals)}{BEFORE_UNIT}€"
