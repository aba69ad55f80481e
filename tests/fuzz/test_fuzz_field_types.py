"""Every field type, outside HTTP, with hostile values: the field either returns a value
that is stored as normalised JSON and reads back for a person, or refuses in French."""

import json
import re

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from forms_app.field_types import SIMPLE_TYPES, field_type
from portal.text import normalise_value
from tests.fuzz.strategies import hostile, values_for

CHOICES = [{"value": "oui_a", "label": "A"}, {"value": "é", "label": "É"}]
BLOCKS = {
    "integer": {"min_value": 0, "max_value": 1000},
    "decimal": {"min_value": "0", "max_value": "99999", "decimal_places": 2},
    "choice": {"choices": CHOICES},
    "multi_choice": {"choices": CHOICES},
}
ENGLISH = re.compile(r"\b(This field|Enter a|Ensure|Select a valid|is not one of)\b")


def _block(kind: str, required: bool) -> dict:
    return {
        "label": "Champ",
        "key": "champ",
        "help_text": "",
        "required": required,
        **BLOCKS.get(kind, {}),
    }


def _input(kind: str):
    if kind == "multi_choice":
        return st.lists(values_for(["oui_a", "é"]), max_size=4)
    if kind in ("choice", "yes_no"):
        return values_for(["oui_a", "é", "oui", "non"])
    return hostile


@pytest.mark.parametrize("kind", [k for k in SIMPLE_TYPES if k != "file"])
def test_field_type(kind, fuzz_count):
    kind_type = field_type(kind)

    @given(value=_input(kind), required=st.booleans())
    def check(value, required):
        fuzz_count.example()
        block = _block(kind, required)
        formfield = kind_type.get_formfield(block)
        try:
            cleaned = formfield.clean(value)
        except forms.ValidationError as error:
            assert error.messages and not any(ENGLISH.search(m) for m in error.messages)
            return
        stored = kind_type.to_json(cleaned)
        assert json.loads(json.dumps(stored)) == stored
        assert normalise_value(stored) == stored
        kind_type.display(stored, block)
        kind_type.to_input(stored)

    check()
