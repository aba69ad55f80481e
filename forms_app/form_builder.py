"""Builds the Django form that checks an answer against a frozen form schema.

A schema is the raw stream of a form version: ``[{"type": "integer", "value": {...}}, ...]``.
Simple fields become fields of one Django form; each repeatable group becomes a formset
whose extra empty rows let people add rows without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms import formset_factory

from forms_app.field_types import field_type
from portal.text import normalised_data

EXTRA_EMPTY_ROWS = 2


def input_items(schema: list[dict]) -> list[dict]:
    """The schema's items that ask something (no section titles, no help texts)."""
    return [item for item in schema if field_type(item["type"]).is_input]


def _form_class(items: list[dict], *, name: str) -> type[forms.Form]:
    attrs: dict[str, Any] = {}
    for item in items:
        if item["type"] == "group":
            continue
        formfield = field_type(item["type"]).get_formfield(item["value"])
        if formfield is not None:
            attrs[item["value"]["key"]] = formfield
    return type(name, (forms.Form,), attrs)


class GroupFormSet(forms.BaseFormSet):
    """Rows of a repeatable group, with French messages on the row count."""

    min_rows = 0
    max_rows = 10

    def clean(self):
        super().clean()
        rows = [
            form for form in self.forms if form.has_changed() and form not in self.deleted_forms
        ]
        if len(rows) < self.min_rows:
            raise forms.ValidationError(f"Ce groupe demande au moins {self.min_rows} ligne(s).")
        if len(rows) > self.max_rows:
            raise forms.ValidationError(f"Ce groupe accepte au plus {self.max_rows} ligne(s).")


def _group_formset(item: dict) -> type[forms.BaseFormSet]:
    value = item["value"]
    sub_items = [{"type": child["type"], "value": child["value"]} for child in value["fields"]]
    row_form = _form_class(sub_items, name=f"Row_{value['key']}")
    max_rows = value.get("max_rows") or 10
    formset_class = formset_factory(
        row_form,
        formset=GroupFormSet,
        extra=min(EXTRA_EMPTY_ROWS, max_rows),
        max_num=max_rows + EXTRA_EMPTY_ROWS,  # shows empty rows; the row count is ours to check
        absolute_max=max_rows + 100,
        can_delete=True,
    )
    formset_class.min_rows = value.get("min_rows") or 0
    formset_class.max_rows = max_rows
    return formset_class


@dataclass
class AnswerForm:
    """A form and its group formsets, validated and read together."""

    schema: list[dict]
    form: forms.Form
    groups: dict[str, forms.BaseFormSet] = field(default_factory=dict)

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        for formset in self.groups.values():
            valid = formset.is_valid() and valid
        return valid

    def errors_by_key(self) -> dict[str, list[str]]:
        """Every error, keyed by the field's (or group's) machine key."""
        errors = {key: list(messages) for key, messages in self.form.errors.items()}
        for key, formset in self.groups.items():
            messages = list(formset.non_form_errors())
            for index, row in enumerate(formset.forms):
                if row in formset.deleted_forms:
                    continue
                for sub_messages in row.errors.values():
                    messages.extend(f"Ligne {index + 1} — {m}" for m in sub_messages)
            if messages:
                errors[key] = messages
        return errors

    def cleaned_json(self) -> dict[str, Any]:
        """The answers as JSON-safe values keyed by machine key (call after ``is_valid``)."""
        data: dict[str, Any] = {}
        for item in input_items(self.schema):
            key = item["value"]["key"]
            if item["type"] == "group":
                data[key] = self._group_rows(item, self.groups[key])
            elif item["type"] != "file":
                data[key] = field_type(item["type"]).to_json(self.form.cleaned_data.get(key))
        return data

    @staticmethod
    def _group_rows(item: dict, formset: forms.BaseFormSet) -> list[dict[str, Any]]:
        sub_types = {child["value"]["key"]: child["type"] for child in item["value"]["fields"]}
        rows = []
        for form in formset.forms:
            if not form.has_changed() or form in formset.deleted_forms:
                continue
            rows.append(
                {
                    key: field_type(sub_types[key]).to_json(form.cleaned_data.get(key))
                    for key in sub_types
                }
            )
        return rows


def with_room_for_rows(schema: list[dict], data: Any) -> Any:
    """A copy of bound ``data`` whose groups offer empty rows again, up to their maximum.

    A saved draft remembers how many rows were on the page; without this, a page
    reloaded from it would offer no empty row to add one more (without JavaScript).
    """
    data = data.copy()
    for item in schema:
        if item["type"] != "group":
            continue
        key = f"{item['value']['key']}-TOTAL_FORMS"
        max_rows = item["value"].get("max_rows") or 10
        try:
            total = int(data.get(key) or 0)
        except ValueError:
            continue
        data[key] = str(min(total + EXTRA_EMPTY_ROWS, max(max_rows, total)))
    return data


def _with_group_counts(schema: list[dict], data: Any, *, prefix: str) -> Any:
    """``data`` whose groups all carry their row counts. The counts are the page's own
    bookkeeping, never a person's answer: a draft saved without them (a group that had no
    row to prefill, an older page) reads as no row at all instead of failing with Django's
    « ManagementForm » error, which nobody filling a form could act on."""
    if data is None:
        return None
    missing = {
        f"{prefix}{item['value']['key']}-{count}"
        for item in schema
        if item["type"] == "group"
        for count in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    missing = {key for key in missing if not data.get(key)}
    if not missing:
        return data
    data = data.copy()
    for key in missing:
        data[key] = "0"
    return data


def answer_form(
    *,
    schema: list[dict],
    data: Any = None,
    files: Any = None,
    initial: dict[str, Any] | None = None,
    prefix: str = "",
    stored_files: frozenset[str] = frozenset(),
) -> AnswerForm:
    """The bound (or unbound) answer form of ``schema``.

    ``stored_files`` names the file fields that already hold a file: they need no new upload.
    """
    initial = initial or {}
    data = _with_group_counts(schema, normalised_data(data), prefix=prefix)
    form_class = _form_class(schema, name="AnswerFormBase")
    form = form_class(data=data, files=files, initial=initial, prefix=prefix or None)
    for key in stored_files & set(form.fields):
        form.fields[key].required = False
    groups = {}
    for item in schema:
        if item["type"] != "group":
            continue
        key = item["value"]["key"]
        formset_class = _group_formset(item)
        groups[key] = formset_class(
            data=data,
            files=files,
            initial=initial.get(key) or None,
            prefix=f"{prefix}{key}",
        )
    return AnswerForm(schema=schema, form=form, groups=groups)
