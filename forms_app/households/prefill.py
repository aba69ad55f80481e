"""Prefilling a household document from what the case file already knows.

One rule, written once: a field of the new document takes the value of the field with the
same key in its sources (the household's own facts, then the earlier document), and a
repeatable group takes the rows of the same-key group, keeping the sub-fields it has. On
top of it, ``ROWS_FROM_CHOICES`` turns the steps a diagnostic proposes into contract lines.
Nothing the person already typed is ever replaced: only empty fields are filled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from forms_app.field_types import field_type
from forms_app.form_builder import input_items

# group key → (multiple-choice key in a source, sub-field the choice fills, other sub-fields)
ROWS_FROM_CHOICES: dict[str, tuple[str, str, dict[str, str]]] = {
    "engagements": ("demarches_proposees", "demarche", {"statut": "a_faire"}),
}


def is_typed(values: Any) -> bool:
    """Whether a field's input (a text or a list of texts) holds something other than
    spaces."""
    if isinstance(values, list):
        return any(str(value).strip() for value in values)
    return bool(str(values or "").strip())


def _group_is_typed(draft_input: Mapping[str, Any], key: str) -> bool:
    prefix = f"{key}-"
    return any(
        is_typed(values)
        for name, values in draft_input.items()
        if name.startswith(prefix) and not name.endswith(("_FORMS", "-DELETE"))
    )


def _source_rows(key: str, sub_keys: set[str], sources: Sequence[Mapping[str, Any]]):
    for source in sources:
        rows = source.get(key)
        if isinstance(rows, list) and rows:
            return [{sub: row.get(sub) for sub in sub_keys if sub in row} for row in rows]
    choice_key, filled, others = ROWS_FROM_CHOICES.get(key, ("", "", {}))
    for source in sources:
        chosen = source.get(choice_key)
        if filled in sub_keys and isinstance(chosen, list) and chosen:
            extra = {sub: value for sub, value in others.items() if sub in sub_keys}
            return [{filled: value, **extra} for value in chosen]
    return []


def _entered(item: dict, value: Any) -> list[str]:
    """``value`` as input for ``item``; a choice the field does not offer is left out."""
    entered = field_type(item["type"]).to_input(value)
    if item["type"] in {"choice", "multi_choice"}:
        offered = {choice["value"] for choice in item["value"].get("choices") or []}
        entered = [choice for choice in entered if choice in offered]
    return entered


def _group_input(item: dict, rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    key = item["value"]["key"]
    sub_items = {child["value"]["key"]: child for child in item["value"]["fields"]}
    rows = rows[: item["value"].get("max_rows") or 10]
    typed: dict[str, list[str]] = {
        f"{key}-TOTAL_FORMS": [str(len(rows))],
        f"{key}-INITIAL_FORMS": ["0"],
    }
    for index, row in enumerate(rows):
        for sub, value in row.items():
            entered = _entered(sub_items[sub], value)
            if entered:
                typed[f"{key}-{index}-{sub}"] = entered
    return typed


def prefill_input(
    *,
    schema: list[dict],
    draft_input: Mapping[str, Any],
    sources: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """``draft_input`` with its empty fields filled from ``sources`` (answers as stored in
    a submission's ``data``, the first source that has a value wins)."""
    result = dict(draft_input)
    for item in input_items(schema):
        key = item["value"]["key"]
        if item["type"] == "group":
            if _group_is_typed(result, key):
                continue
            sub_keys = {child["value"]["key"] for child in item["value"]["fields"]}
            rows = _source_rows(key, sub_keys, sources)
            if rows:
                result.update(_group_input(item, rows))
            continue
        if is_typed(result.get(key)):
            continue
        for source in sources:
            entered = _entered(item, source.get(key))
            if entered:
                result[key] = entered
                break
    return result
