"""Registers the portal's field types with wagtailstreamforms (module found by its name)."""

from wagtailstreamforms.fields import register

from forms_app.field_types import FIELD_TYPES

for _name, _cls in FIELD_TYPES.items():
    register(_name, _cls)
