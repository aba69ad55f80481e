"""Generated zips of documents are kept PORTAL_RETENTION_EXPORT_HOURS, then deleted with
their file in STORAGES["exports"]."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import QuerySet

from documents.exports.campaign_zips import exports_storage
from documents.exports.models import DocumentExport


def expired_exports(*, now: datetime.datetime) -> QuerySet[DocumentExport]:
    """Exports asked for more than PORTAL_RETENTION_EXPORT_HOURS before ``now``, whatever
    their status (one still running by then has died)."""
    limit = now - datetime.timedelta(hours=settings.PORTAL_RETENTION_EXPORT_HOURS)
    return DocumentExport.objects.filter(created_at__lt=limit)


def purge_expired_exports(*, now: datetime.datetime, dry_run: bool = False) -> int:
    """Deletes the expired exports and their zips; returns how
    many exports went (or would go, with ``dry_run``)."""
    expired = list(expired_exports(now=now).only("pk", "file_name"))
    if dry_run:
        return len(expired)
    storage = exports_storage()
    for export in expired:
        if export.file_name:
            storage.delete(export.file_name)  # a missing file is no error (Storage.delete)
    DocumentExport.objects.filter(pk__in=[export.pk for export in expired]).delete()
    return len(expired)
