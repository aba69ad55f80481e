"""Form versions: each change of a form's fields freezes a new version of its schema."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from wagtailstreamforms.models import Form

from forms_app.models import FormVersion


def schema_of(form: Form) -> list[dict]:
    """The form's fields as a JSON schema, without the editor's block ids.

    Read through JSON, as stored: a form just saved in the admin holds Python values
    (``Decimal`` bounds) that a JSON schema does not.
    """
    stored = json.loads(json.dumps(list(form.fields.raw_data), cls=DjangoJSONEncoder))
    return [{"type": item["type"], "value": _without_ids(item["value"])} for item in stored]


def _without_ids(value):
    """Drops block ids and unwraps list items (``{"type": "item", "value": v}`` → ``v``)."""
    if isinstance(value, list):
        return [
            _without_ids(item["value"])
            if isinstance(item, dict) and item.get("type") == "item" and "value" in item
            else _without_ids(item)
            for item in value
        ]
    if isinstance(value, dict):
        return {key: _without_ids(item) for key, item in value.items() if key != "id"}
    return value


def form_version_latest(*, form: Form) -> FormVersion | None:
    return form.versions.order_by("-number").first()


@transaction.atomic
def form_version_freeze(*, form: Form, user=None) -> FormVersion:
    """Returns the version matching the form's current fields, creating it if they changed."""
    Form.objects.select_for_update().filter(pk=form.pk).first()
    schema = schema_of(form)
    latest = form_version_latest(form=form)
    if latest is not None and latest.schema == schema:
        return latest
    return FormVersion.objects.create(
        form=form,
        number=(latest.number + 1) if latest else 1,
        schema=schema,
        created_by=user,
    )
