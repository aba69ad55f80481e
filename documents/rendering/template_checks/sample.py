"""The sample answer an uploaded template is rendered with, for its preview: an answer to
every field as a submission stores it, texts carrying <, & and </w:t>."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from documents.rendering.context import META_KEYS, answers_context
from forms_app.form_builder import input_items

# Texts carry <, & and </w:t>: the preview proves they stay text (security.md #6).
SAMPLE_TEXT = "Texte d'exemple <b> & </w:t>"
SAMPLE_LONG_TEXT = "Première ligne <b> & </w:t>\nDeuxième ligne"
SAMPLE_GROUP_ROWS = 2
SAMPLE_META = {
    "formulaire": "Formulaire d'exemple",
    "version_formulaire": 1,
    "campagne": "Campagne d'exemple",
    "date_limite": "29 décembre 2020",
    "organisation": "Organisation d'exemple",
    "territoire": "Isère",
    "departement": "38",
    "region": "Auvergne-Rhône-Alpes",
    "statut": "Transmis",
    "date_transmission": "15 décembre 2020",
    "menage": "MEN-0001",
    "date_document": "15 décembre 2020",
}


def _number(value: dict, default: str) -> str:
    low, high = value.get("min_value"), value.get("max_value")
    if low not in (None, "") and float(low) > float(default):
        return str(low)
    if high not in (None, "") and float(high) < float(default):
        return str(high)
    return default


def _first_choice(value: dict) -> str:
    return (value.get("choices") or [{"value": ""}])[0]["value"]


SAMPLE_BY_TYPE: dict[str, Callable[[dict], Any]] = {
    "short_text": lambda value: SAMPLE_TEXT,
    "long_text": lambda value: SAMPLE_LONG_TEXT,
    "integer": lambda value: int(float(_number(value, "12"))),
    "decimal": lambda value: _number(value, "1234.5"),
    "money": lambda value: "117600.00",
    "percent": lambda value: "62.5",
    "date": lambda value: "2020-12-29",
    "yes_no": lambda value: True,
    "choice": _first_choice,
    "multi_choice": lambda value: [_first_choice(value)],
    "email": lambda value: "prenom.nom@example.fr",
    "phone": lambda value: "01 23 45 67 89",
    "file": lambda value: {"name": "piece-jointe.pdf"},
}


def sample_data(schema: list[dict]) -> dict[str, Any]:
    """An answer to every field of ``schema`` as a submission stores it: dates, amounts,
    the first choice of each choice, two rows per group, texts with <, & and </w:t>."""
    data: dict[str, Any] = {}
    for item in input_items(schema):
        value = item["value"]
        if item["type"] == "group":
            row = {
                child["value"]["key"]: SAMPLE_BY_TYPE[child["type"]](child["value"])
                for child in value["fields"]
                if child["type"] in SAMPLE_BY_TYPE
            }
            data[value["key"]] = [dict(row) for _ in range(SAMPLE_GROUP_ROWS)]
        elif item["type"] in SAMPLE_BY_TYPE:
            data[value["key"]] = SAMPLE_BY_TYPE[item["type"]](value)
    return data


def sample_context(schema: list[dict]) -> dict[str, Any]:
    """The context a document of ``schema`` would be rendered with, on the sample answer."""
    context = answers_context(schema=schema, data=sample_data(schema))
    for key in META_KEYS:
        context.setdefault(key, SAMPLE_META.get(key, ""))
    return context


def form_keys(schema: list[dict]) -> list[str]:
    """The keys a template may use for ``schema``: its inputs' and its groups' sub-fields."""
    keys = set()
    for item in input_items(schema):
        keys.add(item["value"]["key"])
        if item["type"] == "group":
            keys.update(child["value"]["key"] for child in item["value"]["fields"])
    return sorted(keys)
