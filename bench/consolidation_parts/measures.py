"""The consolidation bench's measured parts and how they run: the portal's consolidation
and workbook, Wagtail's own spreadsheet export of the same answers, each in a process forked
from the lean parent that reports its wall time and peak RSS."""

from __future__ import annotations

import io
import multiprocessing
import resource
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.db import connections
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtailstreamforms.models import Form

from bench.consolidation_parts.database import latest_version
from documents.consolidation.build import campaign_consolidation
from documents.consolidation.selectors import FILED_STATUSES
from documents.consolidation.workbook import consolidation_xlsx
from forms_app.form_builder import input_items
from forms_app.models import Campaign, FormVersion, Submission
from portal.models import User


def ours(*, campaign: int, dihal: int) -> dict[str, Any]:
    """The portal's path: the campaign's consolidation for DIHAL, then the workbook."""
    started = time.perf_counter()
    consolidation = campaign_consolidation(
        campaign=Campaign.objects.select_related("form").get(pk=campaign),
        user=User.objects.get(pk=dihal),
    )
    consolidated = time.perf_counter()
    content = consolidation_xlsx(consolidation=consolidation)
    ended = time.perf_counter()
    counts = consolidation.field_counts
    return {
        "seconds": ended - started,
        "consolidation_s": consolidated - started,
        "xlsx_s": ended - consolidated,
        "bytes": len(content),
        "content": content,
        "answers": len(consolidation.answers),
        "met": int(counts["nb_menages_rencontres"].sum()) if counts is not None else 0,
        "diagnostics": int(counts["nb_diagnostics"].sum()) if counts is not None else 0,
    }


def _group_text(value: Any) -> str:
    """A repeatable group's lines as one cell (Wagtail's forms have no groups, and its
    ``list_to_str`` joins strings only)."""
    return " | ".join(
        ", ".join("" if v is None else str(v) for v in line.values())
        for line in value or []
        if isinstance(line, dict)
    )


class WagtailFormExport(SpreadsheetExportMixin):
    """Wagtail's form-submission export (``wagtail.contrib.forms.views.SubmissionsListView``)
    over one of the portal's forms: the columns are the form's fields, after the submission
    date, with their labels as headings; each row is what ``FormSubmission.get_data()``
    gives."""

    def __init__(self, *, version: FormVersion) -> None:
        items = input_items(version.schema)
        data_fields = [("submit_time", "Date de transmission")] + [
            (item["value"]["key"], item["value"]["label"]) for item in items
        ]
        self.list_export = [key for key, _ in data_fields]
        self.export_headings = dict(data_fields)
        self.custom_field_preprocess = {
            item["value"]["key"]: {self.FORMAT_XLSX: _group_text}
            for item in items
            if item["type"] == "group"
        }

    def to_row_dict(self, item: Submission) -> OrderedDict:
        data = {**item.data, "submit_time": item.submitted_at}
        return OrderedDict((field, data.get(field)) for field in self.list_export)


def baseline() -> dict[str, Any]:
    """Wagtail's export of every filed answer: one workbook per form, as its admin gives."""
    started = time.perf_counter()
    size = rows = files = 0
    for form in Form.objects.order_by("pk"):
        answers = Submission.objects.filter(
            form_version__form=form, status__in=FILED_STATUSES
        ).order_by("submitted_at")
        if not answers.exists():
            continue
        output = io.BytesIO()
        WagtailFormExport(version=latest_version(form)).write_xlsx(answers, output)
        size, files = size + output.tell(), files + 1
        rows += len(answers)  # evaluated by write_xlsx: no new query
    return {"seconds": time.perf_counter() - started, "bytes": size, "rows": rows, "files": files}


# ---------------------------------------------------------------------------------------
# Forked children
# ---------------------------------------------------------------------------------------


def _child(sender, function: Callable[..., dict], kwargs: dict) -> None:
    try:
        figures = function(**kwargs)
        figures["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        sender.send(figures)
    except BaseException:  # noqa: BLE001 - reported by the parent
        sender.send({"error": traceback.format_exc()})
    finally:
        sender.close()


def in_child(function: Callable[..., dict], **kwargs) -> dict[str, Any]:
    """Runs ``function`` in a process forked from this one and returns its figures, with the
    child's peak RSS (which counts what it shares with this process)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    connections.close_all()  # the child opens its own connection
    process = context.Process(target=_child, args=(sender, function, kwargs))
    process.start()
    sender.close()
    try:
        figures = receiver.recv()
    except EOFError:
        figures = {"error": "the child ended without a word"}
    process.join()
    if "error" in figures and process.exitcode:
        figures["error"] += f" (exit code {process.exitcode})"
    if "error" in figures:
        raise RuntimeError(f"{function.__name__} failed:\n{figures['error']}")
    return figures


def current_rss() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0
