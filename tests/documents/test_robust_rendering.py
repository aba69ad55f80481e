"""Templates and answers that once stopped a render: Jinja comments in the compiled path, and
characters XML 1.0 forbids in answers (a pasted Word line break) in every part of a document."""

from __future__ import annotations

import io

import pytest
from django.utils.datastructures import MultiValueDict
from docx import Document

from documents.rendering.compiled import render_docx_fast
from documents.rendering.engine import render_docx_plain
from documents.rendering.isolation import render_docx
from forms_app.answering import typed_input
from portal.text import xml_safe_text, xml_safe_value
from tests.documents.builders import all_text, docx_bytes

FORBIDDEN = [chr(code) for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]
FORBIDDEN += ["\ud800", "\ufffe", "\uffff"]


def test_jinja_comments_render_in_the_compiled_path_as_docxtpl_renders_them():
    template = docx_bytes(
        "Bonjour {# un commentaire #}{{ nom }} fin",
        "{#p commentaire de paragraphe #}",
        "{# {% if x %} dans un commentaire #}suite",
    )
    context = {"nom": "Zoé"}
    fast = render_docx_fast(template=template, context=context)  # no fallback: it compiles
    assert all_text(fast) == all_text(render_docx_plain(template=template, context=context))
    assert "Bonjour Zoé fin" in all_text(fast)
    assert "commentaire" not in all_text(fast)


@pytest.mark.parametrize("character", FORBIDDEN, ids=[f"U+{ord(c):04X}" for c in FORBIDDEN])
def test_an_answer_with_a_forbidden_character_renders_in_every_part(character):
    template = docx_bytes(
        "Corps : {{ nom }}",
        header="En-tête : {{ nom }}",
        footer="Pied : {{ nom }}",
        title="Titre {{ nom }}",
    )
    document = render_docx(template=template, context={"nom": f"Du{character}pont"})
    text = all_text(document)
    assert "Corps : Dupont" in text
    assert "En-tête : Dupont" in text
    assert "Pied : Dupont" in text
    assert Document(io.BytesIO(document)).core_properties.title == "Titre Dupont"


def test_only_forbidden_characters_are_taken_out():
    kept = "Tab\tLF\nCR\r « é » œ € 😀"
    assert xml_safe_text(kept) == kept
    assert xml_safe_text("a\x00b\x0bc\x1fd") == "abcd"
    nested = {"lignes": [{"nom": "x\x0by"}, ("a\x01", 3)], "n": 4}
    assert xml_safe_value(nested) == {"lignes": [{"nom": "xy"}, ("a", 3)], "n": 4}


def test_typed_input_is_saved_without_forbidden_characters():
    post = MultiValueDict({"nom": ["Du\x0bpont\x00"], "rev\x01": ["1"], "revision": ["3"]})
    assert typed_input(post) == {"nom": ["Dupont"], "rev": ["1"]}
