from django import template
from django.utils.html import format_html

from forms_app import idempotency

register = template.Library()


@register.simple_tag
def creation_token_input(token: str = ""):
    """The hidden idempotency token of a creation form (forms_app.idempotency): ``token``
    when a refused form comes back, a new one otherwise."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">',
        idempotency.FIELD_NAME,
        token or idempotency.new_token(),
    )
