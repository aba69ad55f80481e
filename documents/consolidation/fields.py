"""A form's fields as the columns of its consolidated tables, across all its versions: the
union of the versions' fields by key, their kinds, and how a stored JSON value becomes a
cell (labels for choices, dates as dates, numbers left for pandas).

Reads the versions' schemas only (``forms_app.form_builder.input_items``), never the
database. Imports ``vocabulary``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from documents.consolidation.vocabulary import (
    KIND_BY_FIELD_TYPE,
    SKIPPED_FIELD_TYPES,
    TEXT,
    Column,
)
from forms_app.form_builder import input_items

CellReader = Callable[[Any], Any]


@dataclass(frozen=True)
class FormField:
    """A field of a form version's schema (a group with its own fields)."""

    key: str
    label: str
    type: str
    block: dict
    sub_fields: tuple[FormField, ...] = ()


def form_fields(schema: list[dict]) -> list[FormField]:
    """The fields of one version's schema that hold figures or text (files aside)."""
    fields = []
    for item in input_items(schema):
        kind, value = item["type"], item["value"]
        if kind in SKIPPED_FIELD_TYPES:
            continue
        subs = ()
        if kind == "group":
            subs = tuple(
                FormField(sub["value"]["key"], sub["value"]["label"], sub["type"], sub["value"])
                for sub in value.get("fields", [])
                if sub["type"] not in SKIPPED_FIELD_TYPES
            )
        fields.append(
            FormField(value["key"], value.get("label") or value["key"], kind, value, subs)
        )
    return fields


def fields_across_versions(versions: Iterable[Any]) -> list[FormField]:
    """The union of the versions' fields by key: the newest version's order and labels,
    then the keys only older versions had (``versions``, ``FormVersion``s newest first)."""
    merged: dict[str, FormField] = {}
    for version in versions:
        for item in form_fields(version.schema):
            if item.key not in merged:
                merged[item.key] = item
            elif item.type == "group":
                known = {sub.key for sub in merged[item.key].sub_fields}
                extra = tuple(sub for sub in item.sub_fields if sub.key not in known)
                if extra:
                    current = merged[item.key]
                    merged[item.key] = FormField(
                        current.key,
                        current.label,
                        current.type,
                        current.block,
                        current.sub_fields + extra,
                    )
    return list(merged.values())


def field_column(item: FormField) -> Column:
    """The column a field becomes, with the kind its type reads as."""
    return Column(item.key, item.label, KIND_BY_FIELD_TYPE.get(item.type, TEXT))


def simple_columns(versions: Sequence[Any]) -> dict[str, Column]:
    """The columns of every version's fields outside groups, by key (newest first)."""
    return {
        item.key: field_column(item)
        for item in fields_across_versions(versions)
        if item.type != "group"
    }


def _choice_text(value: Any, labels: dict[str, str]) -> str | None:
    """A stored choice or list of choices as its labels, whatever the version stored (a key
    may have changed from one choice to several, or back)."""
    if value in (None, "", []):
        return None
    items = value if isinstance(value, list) else [value]
    return ", ".join(labels.get(str(item), str(item)) for item in items)


def cell_reader(item: FormField) -> CellReader:
    """How a stored JSON value becomes a cell: labels for choices, dates as dates, numbers
    left for pandas to convert column by column. Values stored by another version under the
    same key (another type) come out as text, never as an error."""
    if item.type in {"choice", "multi_choice"}:
        labels = {str(c["value"]): c["label"] for c in item.block.get("choices") or []}
        return lambda value: _choice_text(value, labels)
    if item.type == "yes_no":
        return lambda value: (
            {True: "Oui", False: "Non"}.get(value) if isinstance(value, bool) else _text(value)
        )
    if item.type == "date":
        return _date_or_none
    if item.type in KIND_BY_FIELD_TYPE:
        return lambda value: None if value in (None, "") else value
    return _text


def _text(value: Any) -> str | None:
    if value in (None, "", []):
        return None
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _date_or_none(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
