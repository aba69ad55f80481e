"""Builders for form tests: valid input for a schema, admin POST data for a stream."""

from __future__ import annotations

from typing import Any

from wagtail import blocks
from wagtail.test.utils.form_data import nested_form_data
from wagtailstreamforms.models import Form

from forms_app.form_builder import input_items
from forms_app.models import Campaign, Submission
from portal.models import Organisation

SAMPLE = {
    "short_text": "Texte de test",
    "long_text": "Un texte plus long\nsur deux lignes.",
    "decimal": "1,5",
    "money": "1200,50",
    "percent": "50",
    "date": "2021-06-30",
    "yes_no": "oui",
    "email": "contact@example.gouv.fr",
    "phone": "01 23 45 67 89",
}


def _sample(kind: str, value: dict[str, Any]) -> Any:
    if kind == "integer":
        return str(max(value.get("min_value") or 0, 0) + 1)
    if kind == "choice":
        return value["choices"][0]["value"]
    if kind == "multi_choice":
        return [value["choices"][0]["value"]]
    if kind == "decimal" and value.get("min_value") not in (None, ""):
        return str(value["min_value"]).replace(".", ",")
    return SAMPLE[kind]


def valid_input(schema: list[dict], **overrides: Any) -> dict[str, Any]:
    """POST-like input that answers every field of ``schema`` validly (files excepted)."""
    data: dict[str, Any] = {}
    for item in input_items(schema):
        kind, value = item["type"], item["value"]
        key = value["key"]
        if kind == "file":
            continue
        if kind == "group":
            rows = max(value.get("min_rows") or 0, 1)
            data[f"{key}-TOTAL_FORMS"] = str(rows)
            data[f"{key}-INITIAL_FORMS"] = "0"
            for index in range(rows):
                for child in value["fields"]:
                    sub_key = child["value"]["key"]
                    data[f"{key}-{index}-{sub_key}"] = _sample(child["type"], child["value"])
            continue
        data[key] = _sample(kind, value)
    data.update(overrides)
    return data


def _block_post(block: blocks.Block, value: Any) -> Any:
    if isinstance(block, blocks.StreamBlock):
        items = {
            str(index): {
                "type": child["type"],
                "value": _block_post(block.child_blocks[child["type"]], child["value"]),
                "deleted": "",
                "order": str(index),
                "id": child.get("id") or "",
            }
            for index, child in enumerate(value or [])
        }
        items["count"] = str(len(value or []))
        return items
    if isinstance(block, blocks.ListBlock):
        items = {
            str(index): {
                "value": _block_post(block.child_block, item),
                "deleted": "",
                "order": str(index),
            }
            for index, item in enumerate(value or [])
        }
        items["count"] = str(len(value or []))
        return items
    if isinstance(block, blocks.StructBlock):
        return {
            name: _block_post(child, (value or {}).get(name))
            for name, child in block.child_blocks.items()
        }
    if isinstance(block, blocks.BooleanBlock):
        return "on" if value else ""
    return "" if value is None else str(value)


def form_admin_post(form: Form, stream: list[dict]) -> dict[str, Any]:
    """The POST of wagtailstreamforms' edit view for ``form`` with fields ``stream``."""
    stream_block = Form._meta.get_field("fields").stream_block
    return nested_form_data(
        {
            "title": form.title,
            "slug": form.slug,
            "template_name": form.template_name,
            "submit_button_text": form.submit_button_text,
            "success_message": form.success_message,
            "error_message": form.error_message,
            "fields": _block_post(stream_block, stream),
        }
    )


def answer_started(client, title="Bilan d'étape 2021", code="38"):
    """Starts an answer, through the page a person uses, on a fresh campaign of the same
    form (demo answers stay apart)."""
    model = Campaign.objects.get(title=title)
    campaign = Campaign.objects.create(
        form=model.form, title=f"{title} (test)", opens_on=model.opens_on, due_on="2099-01-01"
    )
    organisation = Organisation.objects.get(kind="prefecture", territory__code=code)
    client.post(f"/campagnes/{campaign.pk}/repondre/{organisation.pk}/")
    return Submission.objects.get(campaign=campaign, organisation=organisation)
