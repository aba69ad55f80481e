"""Loads the scheme's starting forms from ``forms_app/content/forms.yaml``.

A form is created once with its settings and first frozen version; after that it belongs
to the editors, and loading again never changes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from wagtailstreamforms.models import Form

from forms_app.field_types import FIELD_TYPES
from forms_app.keys import key_from_label
from forms_app.models import Campaign, FormSettings
from forms_app.versions import form_version_freeze

FORM_TEMPLATE = "forms_app/answer_form.html"


@dataclass
class FormsSeedReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    campaigns_created: list[str] = field(default_factory=list)


def block_value(item: dict[str, Any]) -> dict[str, Any]:
    """A data-file field item as the value of its admin block."""
    kind = item["type"]
    if kind not in FIELD_TYPES:
        raise ValueError(f"Unknown field type {kind!r} in the forms file.")
    if kind == "section":
        return {"label": item["label"]}
    if kind == "help":
        return {"text": item["text"]}
    value: dict[str, Any] = {
        "label": item["label"],
        "key": item.get("key") or key_from_label(item["label"]),
        "help_text": item.get("help_text", ""),
        "required": bool(item.get("required", False)),
    }
    if kind in {"integer", "decimal"}:
        value["min_value"] = item.get("min")
        value["max_value"] = item.get("max")
    if kind == "decimal":
        value["decimal_places"] = item.get("decimal_places", 2)
    if kind in {"choice", "multi_choice"}:
        value["choices"] = [
            {"value": choice["value"], "label": choice["label"]} for choice in item["choices"]
        ]
    if kind == "group":
        value["min_rows"] = item.get("min_rows", 0)
        value["max_rows"] = item.get("max_rows", 10)
        # Block ids are set here (Wagtail leaves nested ones unset): freezing a key once a
        # form has answers matches fields by id.
        value["fields"] = [
            {"type": sub["type"], "value": block_value(sub), "id": str(uuid.uuid4())}
            for sub in item["fields"]
        ]
    return value


def read_form_specs(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["forms"]


def read_campaign_specs(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle).get("campaigns", [])


@transaction.atomic
def forms_seed_load(*, path: Path) -> FormsSeedReport:
    """Creates the forms of the data file that do not exist yet (matched by slug)."""
    report = FormsSeedReport()
    for spec in read_form_specs(path):
        if Form.objects.filter(slug=spec["slug"]).exists():
            report.kept.append(spec["title"])
            continue
        form = Form.objects.create(
            title=spec["title"],
            slug=spec["slug"],
            template_name=FORM_TEMPLATE,
            submit_button_text="Envoyer",
            fields=[
                {"type": item["type"], "value": block_value(item), "id": str(uuid.uuid4())}
                for item in spec["fields"]
            ],
        )
        FormSettings.objects.create(
            form=form,
            description=spec.get("description", ""),
            scope=spec["scope"],
            filled_by=spec["filled_by"],
            validated_by=spec["validated_by"],
            household_role=spec.get("household_role", ""),
        )
        form_version_freeze(form=form)
        report.created.append(spec["title"])
    for spec in read_campaign_specs(path):
        _, created = Campaign.objects.get_or_create(
            title=spec["title"],
            defaults={
                "form": Form.objects.get(slug=spec["form"]),
                "opens_on": spec["opens_on"],
                "due_on": spec["due_on"],
                "period_start": spec.get("period_start"),
                "period_end": spec.get("period_end"),
            },
        )
        if created:
            report.campaigns_created.append(spec["title"])
    return report
