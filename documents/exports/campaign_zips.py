"""Zips of a campaign's Word documents, built in the background within the requester's
scope. The zip is written under a temporary name and renamed once complete: a half-built
file is never served, and a failed build says so and can be asked again."""

from __future__ import annotations

import logging
import os
import secrets
import zipfile
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from documents.exports.models import DocumentExport, ExportStatus
from documents.rendering.context import submission_context
from documents.rendering.isolation import render_docx_many
from documents.rendering.store import active_template, document_filename
from forms_app.models import Campaign, Submission, SubmissionStatus
from portal import permissions
from portal.models import User

logger = logging.getLogger(__name__)
FILED = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
PROGRESS_EVERY = 20
RENDER_BATCH = 20  # documents per round trip to a render worker (documents.rendering.isolation)


def exports_dir() -> Path:
    directory = Path(settings.PORTAL_EXPORTS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@transaction.atomic
def campaign_export_request(*, campaign: Campaign, user: User) -> DocumentExport:
    """Asks for the zip of the campaign's filed answers the person follows (DIHAL: every
    territory; a prefecture: its own) and queues its build."""
    codes = (
        []
        if permissions.is_dihal_member(user)
        else sorted(permissions.territories_followed_by(user).values_list("code", flat=True))
    )
    export = DocumentExport.objects.create(
        campaign=campaign, requested_by=user, territory_codes=codes
    )
    transaction.on_commit(partial(build_document_export.enqueue, export.pk))
    return export


def export_submissions(*, export: DocumentExport) -> QuerySet[Submission]:
    """The filed answers the export holds: its campaign, its territories."""
    submissions = Submission.objects.filter(campaign=export.campaign, status__in=FILED)
    if export.territory_codes:
        submissions = submissions.filter(territory__code__in=export.territory_codes)
    return submissions.select_related(
        "campaign", "organisation", "territory", "form_version__form", "household"
    ).order_by("territory__code", "organisation__name")


def _zip_name(export: DocumentExport) -> str:
    return f"documents-{export.pk}-{secrets.token_hex(8)}.zip"


@task()
def build_document_export(export_id: int) -> None:
    """Builds the zip: one document per filed answer, progress saved as it goes."""
    export = DocumentExport.objects.select_related("campaign__form").get(pk=export_id)
    submissions = list(export_submissions(export=export))
    DocumentExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, total=len(submissions), done=0
    )
    name = _zip_name(export)
    final = exports_dir() / name
    partial_file = final.with_suffix(".zip.part")
    try:
        template = active_template(form=export.campaign.form).data
        with zipfile.ZipFile(partial_file, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            used: set[str] = set()
            for start in range(0, len(submissions), RENDER_BATCH):
                batch = submissions[start : start + RENDER_BATCH]
                contexts = [submission_context(submission=submission) for submission in batch]
                documents = render_docx_many(template=template, contexts=contexts)
                for submission, document in zip(batch, documents, strict=True):
                    archive.writestr(
                        _unique(document_filename(submission=submission), used), document
                    )
                done = start + len(batch)
                if done // PROGRESS_EVERY != start // PROGRESS_EVERY:
                    DocumentExport.objects.filter(pk=export.pk).update(done=done)
        os.replace(partial_file, final)
    except Exception as error:  # the job fails visibly; the worker lives on
        logger.exception("Document export %s failed", export.pk)
        partial_file.unlink(missing_ok=True)
        DocumentExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED,
            error=f"La production des documents a échoué : {error}",
            finished_at=timezone.now(),
        )
        return
    DocumentExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE,
        done=len(submissions),
        file_name=name,
        finished_at=timezone.now(),
    )


def _unique(name: str, used: set[str]) -> str:
    stem, dot, extension = name.rpartition(".")
    candidate, counter = name, 2
    while candidate in used:
        candidate = f"{stem}-{counter}{dot}{extension}"
        counter += 1
    used.add(candidate)
    return candidate


def export_path(*, export: DocumentExport) -> Path | None:
    """The complete zip on disk, or None while it is being built (or if it failed)."""
    if export.status != ExportStatus.DONE or not export.file_name:
        return None
    path = exports_dir() / export.file_name
    return path if path.is_file() else None
