"""The admin form of a form definition: derives machine keys and refuses duplicates."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from forms_app.field_types import field_type
from forms_app.keys import duplicated, key_from_label
from forms_app.models import Submission
from forms_app.versions import form_version_freeze


def assign_missing_keys(stream) -> None:
    """Gives every input field (and group sub-field) without a key the key of its label."""
    for child in stream:
        if not field_type(child.block_type).is_input:
            continue
        value = child.value
        if not value.get("key"):
            value["key"] = key_from_label(value.get("label") or "")
        if child.block_type == "group":
            for sub in value.get("fields") or []:
                if not sub.value.get("key"):
                    sub.value["key"] = key_from_label(sub.value.get("label") or "")


def duplicate_key_messages(stream) -> list[str]:
    """French messages naming each key used twice, in the form or inside one group."""
    inputs = [child for child in stream if field_type(child.block_type).is_input]
    keys = [child.value["key"] for child in inputs]
    messages = [
        f"La clé « {key} » est utilisée par plusieurs champs : chaque clé doit être unique."
        for key in duplicated(keys)
    ]
    for child in inputs:
        if child.block_type != "group":
            continue
        sub_keys = [sub.value["key"] for sub in child.value.get("fields") or []]
        messages += [
            f"Dans le groupe « {child.value['label']} », la clé « {key} » est utilisée "
            "plusieurs fois."
            for key in duplicated(sub_keys)
        ]
    return messages


def _keys_by_block_id(stream) -> dict[str, str]:
    """Every input block's key by its block id, group sub-fields included."""
    keys: dict[str, str] = {}
    for child in stream:
        if not field_type(child.block_type).is_input or not child.id:
            continue
        keys[child.id] = child.value.get("key")
        if child.block_type == "group":
            for sub in child.value.get("fields") or []:
                if sub.id:
                    keys[sub.id] = sub.value.get("key")
    return keys


def changed_key_messages(original, stream) -> list[str]:
    """French messages for fields whose key an edit changed (matched by block id)."""
    before = _keys_by_block_id(original)
    after = _keys_by_block_id(stream)
    return [
        f"La clé « {before[block_id]} » est figée : le formulaire a déjà des réponses. "
        "Vous pouvez changer le libellé, pas la clé."
        for block_id, key in after.items()
        if before.get(block_id) and key != before[block_id]
    ]


def form_has_answers(form) -> bool:
    return form.pk is not None and Submission.objects.filter(form_version__form=form).exists()


class FormDefinitionAdminForm(WagtailAdminModelForm):
    """Used by wagtailstreamforms' admin through ``Form.base_form_class``."""

    def clean(self):
        cleaned_data = super().clean()
        stream = cleaned_data.get("fields")
        if stream is None:
            return cleaned_data
        if form_has_answers(self.instance):
            # Keys are frozen once answered: restore blanks, refuse changes.
            for message in changed_key_messages(self.instance.fields, stream):
                self.add_error("fields", message)
        assign_missing_keys(stream)
        messages = duplicate_key_messages(stream)
        if messages:
            self.add_error("fields", ValidationError(messages))
        return cleaned_data

    def save(self, commit=True):
        """Saving a form's fields freezes them as a new version (when they changed).

        wagtailstreamforms' create view saves with ``commit=False``: a new form's first
        version is then frozen when its first answer is started.
        """
        instance = super().save(commit=commit)
        if commit:
            form_version_freeze(form=instance, user=getattr(self, "for_user", None))
        return instance
