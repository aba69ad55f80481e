"""What the fill page does with a person's input: keep it, check it, transmit it."""

from __future__ import annotations

from typing import Any

from django.utils.datastructures import MultiValueDict

from forms_app.complete_body import END_FIELD
from forms_app.form_builder import AnswerForm, answer_form, input_items, with_room_for_rows
from forms_app.models import Submission
from portal.text import normalise_text

NOT_ANSWERS = {"csrfmiddlewaretoken", "action", "revision", END_FIELD}


def typed_input(post: MultiValueDict) -> dict[str, list[str]]:
    """The POST as typed (every value a list), without the page's own controls, keys and
    values normalised (``portal.text.normalise_text``: none of the characters XML 1.0
    forbids — a pasted Word line break, a NUL PostgreSQL cannot hold — and NFC). Two keys
    that differ only by such a character become one, with the values of both."""
    typed: dict[str, list[str]] = {}
    for key, values in post.lists():
        key = normalise_text(key)
        if key and key not in NOT_ANSWERS:
            typed.setdefault(key, []).extend(normalise_text(str(value)) for value in values)
    return typed


def holds_an_answer(*, schema: list[dict], typed: dict[str, list[str]]) -> bool:
    """Whether ``typed`` holds at least one of the form's own answer fields, a group row's
    fields included. The page's bookkeeping (a group's row counts, its hidden template row
    ``__prefix__``) and keys the form does not know are no answer: a body holding only
    those is no reason to replace a saved draft."""
    fields: set[str] = set()
    rows: dict[str, set[str]] = {}
    for item in input_items(schema):
        key = item["value"]["key"]
        if item["type"] == "group":
            rows[key] = {child["value"]["key"] for child in item["value"]["fields"]}
        else:
            fields.add(key)
    for key in typed:
        if key in fields:
            return True
        for group, sub_keys in rows.items():
            index, _, sub_key = key.removeprefix(f"{group}-").partition("-")
            if key.startswith(f"{group}-") and index.isdigit() and sub_key in sub_keys:
                return True
    return False


def as_post(draft_input: dict[str, Any]) -> MultiValueDict:
    """A stored input back into the shape a bound form reads."""
    return MultiValueDict(
        {
            key: values if isinstance(values, list) else [values]
            for key, values in draft_input.items()
        }
    )


def stored_file_keys(submission: Submission) -> frozenset[str]:
    return frozenset(submission.files.values_list("key", flat=True))


def bound_answer_form(submission: Submission, *, data=None, files=None) -> AnswerForm:
    """The submission's form on its own version, bound to ``data`` or to the saved input."""
    schema = submission.form_version.schema
    if data is None and submission.draft_input:
        data = with_room_for_rows(schema, as_post(submission.draft_input))
    return answer_form(
        schema=schema, data=data, files=files, stored_files=stored_file_keys(submission)
    )


def file_keys(submission: Submission) -> list[str]:
    return [
        item["value"]["key"]
        for item in input_items(submission.form_version.schema)
        if item["type"] == "file"
    ]
