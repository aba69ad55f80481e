"""The context a submission's document is rendered with: each answer as it reads in
French, a repeatable group as rows, the raw values under ``brut``, and who, what and when
(``META_KEYS``)."""

from __future__ import annotations

import datetime
from typing import Any

from forms_app.field_types import field_type
from forms_app.form_builder import input_items
from portal.formatting import date_long

# Names the context gives besides the form's own keys.
META_KEYS = frozenset(
    {
        "brut",
        "reponses",
        "formulaire",
        "version_formulaire",
        "campagne",
        "date_limite",
        "organisation",
        "territoire",
        "departement",
        "region",
        "statut",
        "date_transmission",
        "menage",
        "date_document",
    }
)


def _fields_by_key(schema: list[dict]) -> dict[str, dict]:
    fields = {}
    for item in input_items(schema):
        fields[item["value"]["key"]] = item
        if item["type"] == "group":
            for child in item["value"]["fields"]:
                fields.setdefault(child["value"]["key"], child)
    return fields


def answers_context(*, schema: list[dict], data: dict[str, Any]) -> dict[str, Any]:
    """Each key of ``schema`` as it reads in French (dates in words, amounts in euros,
    labels of choices); a repeatable group as a list of rows keyed the same way; the raw
    values under ``brut``. A key missing from ``data`` reads as empty."""
    context: dict[str, Any] = {"brut": {}}
    for item in input_items(schema):
        kind, value = item["type"], item["value"]
        key = value["key"]
        raw = data.get(key)
        context["brut"][key] = raw
        if kind == "group":
            children = [(child["type"], child["value"]) for child in value["fields"]]
            context[key] = [
                {sub["key"]: field_type(t).display(row.get(sub["key"]), sub) for t, sub in children}
                for row in (raw or [])
                if isinstance(row, dict)
            ]
        elif kind == "file":
            context[key] = raw.get("name", "") if isinstance(raw, dict) else ""
        else:
            context[key] = field_type(kind).display(raw, value)
    context["_champs"] = _fields_by_key(schema)
    context["reponses"] = _answer_lines(schema, context)
    return context


def _answer_lines(schema: list[dict], context: dict[str, Any]) -> list[dict[str, str]]:
    """Every answer as « libellé : valeur », sections included, for a template that does
    not know the form's keys (a form created by editors before its own template)."""
    lines = []
    for item in schema:
        kind, value = item["type"], item["value"]
        if kind == "section":
            lines.append({"section": value["label"], "libelle": "", "valeur": ""})
        elif kind == "group":
            labels = {child["value"]["key"]: child["value"]["label"] for child in value["fields"]}
            rows = [
                " ; ".join(f"{labels[key]} : {shown}" for key, shown in row.items() if shown)
                for row in context.get(value["key"], [])
            ]
            lines.append({"section": "", "libelle": value["label"], "valeur": "\n".join(rows)})
        elif field_type(kind).is_input:
            lines.append(
                {"section": "", "libelle": value["label"], "valeur": context.get(value["key"], "")}
            )
    return lines


def submission_context(*, submission) -> dict[str, Any]:
    """The context a submission's document is rendered with: its answers on its own form
    version, and who, what and when (never a household's identity beyond the answers)."""
    context = answers_context(schema=submission.form_version.schema, data=submission.data or {})
    campaign, territory = submission.campaign, submission.territory
    context.update(
        formulaire=submission.form_version.form.title,
        version_formulaire=submission.form_version.number,
        campagne=campaign.title if campaign else "",
        date_limite=date_long(campaign.due_on) if campaign else "",
        organisation=submission.organisation.name,
        territoire=territory.name if territory else "",
        departement=territory.code if territory else "",
        region=territory.region if territory else "",
        statut=submission.get_status_display(),
        date_transmission=date_long(submission.submitted_at.date())
        if submission.submitted_at
        else "",
        menage=submission.household.reference if submission.household_id else "",
        date_document=date_long(
            (submission.submitted_at or submission.updated_at or datetime.datetime.now()).date()
        ),
    )
    return context
