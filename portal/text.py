"""Text every store and document can hold: one input normalisation for the whole portal.

``normalise_text`` is the one rule: the characters XML 1.0 forbids are taken out (NUL among
them, which PostgreSQL's text and JSON columns cannot hold either: a NUL reaching the
database was a server error), then the text is put in Unicode NFC (« é » typed as « e » and
a combining accent is stored as the one character « é », so that searching, sorting and
comparing answers agree whatever keyboard or system typed them).

Where it applies (``portal.middleware.InputNormalisationMiddleware`` and
``NormalisedFormMixin`` below):

- at the HTTP boundary, once: every key and value of ``request.GET`` and ``request.POST``
  and every uploaded file's name, before any view, form or query-string filter reads them;
- in the forms themselves (field types of the answer forms, the household forms, the list
  filters, the access trail's filters), as a defence for the paths that do not come through
  HTTP (management commands, demo data, tests) — normalising twice changes nothing;
- on the stored rows written before this rule (migration forms_app 0007).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

# XML 1.0 allows tab, line feed and carriage return below U+0020, and nothing in the
# surrogate range or U+FFFE / U+FFFF. A Word line break pasted into a field is U+000B.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (a Word document could not hold them)."""
    return _XML_FORBIDDEN.sub("", value)


def xml_safe_value(value: Any) -> Any:
    """``value`` with every string inside it (dicts, lists, tuples) made ``xml_safe_text``;
    other objects (numbers, dates, docxtpl's rich text) are returned as they are."""
    if isinstance(value, str):
        return xml_safe_text(value)
    if isinstance(value, dict):
        return {key: xml_safe_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [xml_safe_value(item) for item in value]
    if isinstance(value, tuple):
        return tuple(xml_safe_value(item) for item in value)
    return value


def normalise_text(value: str) -> str:
    """``value`` as every database and document can hold it: without the characters XML 1.0
    forbids (NUL included), in Unicode NFC. Idempotent."""
    return unicodedata.normalize("NFC", _XML_FORBIDDEN.sub("", value))


def normalise_value(value: Any) -> Any:
    """``value`` with every string inside it normalised, dict keys included (JSON answers,
    stored draft input); other objects are returned as they are."""
    if isinstance(value, str):
        return normalise_text(value)
    if isinstance(value, dict):
        cleaned: dict = {}
        for key, item in value.items():
            cleaned_key = normalise_text(key) if isinstance(key, str) else key
            item = normalise_value(item)
            # Two keys that differed only by a forbidden character become one: keep both
            # values rather than lose one (draft input keeps lists of values).
            if cleaned_key in cleaned and isinstance(cleaned[cleaned_key], list):
                cleaned[cleaned_key] = cleaned[cleaned_key] + (
                    item if isinstance(item, list) else [item]
                )
            elif cleaned_key not in cleaned:
                cleaned[cleaned_key] = item
        return cleaned
    if isinstance(value, list):
        return [normalise_value(item) for item in value]
    if isinstance(value, tuple):
        return tuple(normalise_value(item) for item in value)
    return value


def normalised_query_dict(data: MultiValueDict) -> QueryDict:
    """A copy of ``data`` (a QueryDict or any MultiValueDict of strings) with every key and
    every string value normalised; repeated keys keep all their values, in order."""
    cleaned = QueryDict(mutable=True)
    for key, values in data.lists():
        cleaned_key = normalise_text(key) if isinstance(key, str) else key
        for item in values:
            cleaned.appendlist(cleaned_key, normalise_text(item) if isinstance(item, str) else item)
    cleaned._mutable = False
    return cleaned


def is_normalised(data: Any) -> bool:
    """Whether ``data`` (a MultiValueDict or a mapping) needs no normalisation."""
    if isinstance(data, MultiValueDict):
        return all(
            normalise_text(key) == key
            and all(not isinstance(item, str) or normalise_text(item) == item for item in values)
            for key, values in data.lists()
        )
    return normalise_value(data) == data


def normalised_data(data: Any) -> Any:
    """Bound form ``data`` normalised (a QueryDict stays a QueryDict, a dict a dict); the
    same object when there is nothing to change (the usual case after the middleware)."""
    if data is None:
        return None
    if isinstance(data, MultiValueDict):
        return data if is_normalised(data) else normalised_query_dict(data)
    return normalise_value(dict(data))


class NormalisedFormMixin:
    """For a Django form: its bound data normalised as it is bound, so that a form used
    outside HTTP (or given a hand-made dict) holds what the middleware would have let in."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(normalised_data(data), *args, **kwargs)
