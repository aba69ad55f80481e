"""What people typed before the portal normalised its input (portal.text.normalise_text),
cleaned in place: no NUL nor any other character XML 1.0 forbids, Unicode NFC.

The rule is copied here, frozen, so that this migration does what it did the day it was
written whatever the portal's code becomes. Only the rows that change are written, with
``update()`` (no ``updated_at`` touched, no revision bumped: the content a person reads is
the same, minus characters nothing could show). Reversing it changes nothing."""

import re
import unicodedata

from django.db import migrations

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value):
    return unicodedata.normalize("NFC", _XML_FORBIDDEN.sub("", value))


def _value(value):
    """Every string in ``value`` cleaned, dict keys included; two keys that become one keep
    the values of both when they are lists (draft input), the first otherwise."""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            key = _text(key) if isinstance(key, str) else key
            item = _value(item)
            if key in cleaned and isinstance(cleaned[key], list):
                cleaned[key] = cleaned[key] + (item if isinstance(item, list) else [item])
            elif key not in cleaned:
                cleaned[key] = item
        return cleaned
    if isinstance(value, list):
        return [_value(item) for item in value]
    return value


# Every column a person filled: answers and their draft input, the names of their files,
# validators' comments, the household case files and their contact notes.
COLUMNS = {
    "Submission": ("data", "draft_input"),
    "SubmissionFile": ("key", "original_name"),
    "SubmissionTransition": ("comment",),
    "Household": ("nom", "prenom", "adresse_logement", "telephone", "email"),
    "ContactAttempt": ("note",),
    "Campaign": ("title",),
}


def clean_stored_text(apps, schema_editor):
    for model_name, columns in COLUMNS.items():
        model = apps.get_model("forms_app", model_name)
        rows = model.objects.values_list("pk", *columns).order_by("pk")
        for pk, *values in rows.iterator(chunk_size=500):
            changes = {
                column: cleaned
                for column, value in zip(columns, values)
                if value is not None and (cleaned := _value(value)) != value
            }
            if changes:
                model.objects.filter(pk=pk).update(**changes)


class Migration(migrations.Migration):

    dependencies = [
        ("forms_app", "0007_household_revisions"),
    ]

    operations = [
        migrations.RunPython(clean_stored_text, migrations.RunPython.noop),
    ]
