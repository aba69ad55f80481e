"""An answer laid out for reading, with the labels of the form version it was filled with."""

from __future__ import annotations

from typing import Any

from forms_app.field_types import field_type
from forms_app.models import Submission


def answer_rows(submission: Submission, *, data: dict[str, Any] | None = None) -> list[dict]:
    """Sections, fields, groups (as tables) and files, in the form's order."""
    data = submission.data if data is None else data
    files_by_id = {stored.pk: stored for stored in submission.files.all()}
    latest = {stored.key: stored for stored in files_by_id.values()}
    rows: list[dict] = []
    for item in submission.form_version.schema:
        kind, value = item["type"], item["value"]
        if kind == "section":
            rows.append({"kind": "section", "label": value["label"]})
        elif kind == "help":
            continue
        elif kind == "file":
            reference = data.get(value["key"])
            if isinstance(reference, dict):  # a transmitted answer names its file
                stored = files_by_id.get(reference.get("file_id"))
            else:  # an answer being checked before transmission shows the latest upload
                stored = latest.get(value["key"])
            rows.append({"kind": "file", "label": value["label"], "file": stored})
        elif kind == "group":
            rows.append(_group_row(value, data.get(value["key"]) or []))
        else:
            display = field_type(kind).display(data.get(value["key"]), value)
            rows.append(
                {"kind": "field", "label": value["label"], "key": value["key"], "value": display}
            )
    return rows


def _group_row(value: dict, rows: list[dict]) -> dict:
    sub_items = [(child["type"], child["value"]) for child in value["fields"]]
    return {
        "kind": "group",
        "label": value["label"],
        "key": value["key"],
        "columns": [sub["label"] for _, sub in sub_items],
        "rows": [
            [field_type(kind).display(row.get(sub["key"]), sub) for kind, sub in sub_items]
            for row in rows
        ],
    }
