"""Private file downloads: a generated file sent as an attachment that no cache keeps.

The core of every download of the portal (Word documents, reports, tables, the access
trail's CSV); the views record the download in the access trail before calling it."""

from __future__ import annotations

from django.http import HttpResponse


def private_download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A generated file as an attachment that no cache keeps (documents, reports, tables)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
