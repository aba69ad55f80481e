"""Zips of a campaign's Word documents, built in the background within the requester's
scope. The zip is built in a local temporary file and saved to STORAGES["exports"] only
once complete, and the export points to it only then: a build killed half-way leaves
nothing that is ever served. A failed build, or one whose worker died (no progress for
PORTAL_EXPORT_STALL_SECONDS), says so and can be run again."""

from __future__ import annotations

import datetime
import logging
import secrets
import tempfile
import zipfile
from functools import partial
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Q, QuerySet
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
RENDER_BATCH = 20  # documents per round trip to a render worker (documents.rendering.isolation)
INTERRUPTED = "interrompue"  # shown, never stored: a running build without progress
INTERRUPTED_ERROR = (
    "La production a été interrompue (le processus qui la menait s'est arrêté). "
    "Relancez-la : les documents seront produits de nouveau."
)


class BuildSuperseded(Exception):
    """The export was reset for a re-run while this build went on: it stops and keeps
    nothing."""


def exports_storage() -> Storage:
    """Where complete zips are kept (local disk, or object storage in production)."""
    return storages["exports"]


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


def stalled_before(*, now: datetime.datetime) -> datetime.datetime:
    """A running build whose last progress is older than this has lost its worker."""
    return now - datetime.timedelta(seconds=settings.PORTAL_EXPORT_STALL_SECONDS)


def export_state(*, export: DocumentExport, now: datetime.datetime) -> str:
    """The export's status as shown: its stored status, or « interrompue » for a running
    build without progress for PORTAL_EXPORT_STALL_SECONDS."""
    if export.status == ExportStatus.RUNNING and (
        export.heartbeat_at is None or export.heartbeat_at < stalled_before(now=now)
    ):
        return INTERRUPTED
    return export.status


def export_may_rerun(*, export: DocumentExport, now: datetime.datetime) -> bool:
    """Whether « Relancer » applies: the build failed or was interrupted."""
    return export_state(export=export, now=now) in (ExportStatus.FAILED, INTERRUPTED)


@transaction.atomic
def export_rerun(*, export: DocumentExport, now: datetime.datetime) -> bool:
    """Resets a failed or interrupted export and queues its build again; False (nothing
    changed) when it is neither any more. The reset is one conditional UPDATE: of two
    clicks, or a click and a worker that comes back to life, one only wins, and the next
    ``attempt`` number makes the old build's writes match nothing."""
    rerunnable = Q(status=ExportStatus.FAILED) | Q(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stalled_before(now=now)),
        status=ExportStatus.RUNNING,
    )
    reset = DocumentExport.objects.filter(rerunnable, pk=export.pk, attempt=export.attempt).update(
        status=ExportStatus.PENDING,
        attempt=export.attempt + 1,
        total=0,
        done=0,
        error="",
        file_name="",
        heartbeat_at=None,
        finished_at=None,
    )
    if reset:
        transaction.on_commit(partial(build_document_export.enqueue, export.pk))
    return bool(reset)


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
    """Builds the zip: one document per filed answer, progress saved batch by batch."""
    export = DocumentExport.objects.select_related("campaign__form").get(pk=export_id)
    mine = DocumentExport.objects.filter(pk=export.pk, attempt=export.attempt)
    submissions = list(export_submissions(export=export))
    claimed = mine.filter(status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING, total=len(submissions), done=0, heartbeat_at=timezone.now()
    )
    if not claimed:
        return  # already built, or reset again since this task was queued
    saved = None
    try:
        with tempfile.TemporaryFile(suffix=".zip") as local:  # gone with the process
            _zip_write(local, submissions=submissions, export=export, progress=mine)
            local.seek(0)
            saved = exports_storage().save(_zip_name(export), File(local))
        if not mine.filter(status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE,
            done=len(submissions),
            file_name=saved,
            heartbeat_at=timezone.now(),
            finished_at=timezone.now(),
        ):
            raise BuildSuperseded
    except BuildSuperseded:
        logger.warning("Document export %s was reset during its build", export.pk)
        _forget(saved)
    except Exception as error:  # the job fails visibly; the worker lives on
        logger.exception("Document export %s failed", export.pk)
        _forget(saved)
        mine.update(
            status=ExportStatus.FAILED,
            error=f"La production des documents a échoué : {error}",
            finished_at=timezone.now(),
        )


def _zip_write(
    local: IO[bytes],
    *,
    submissions: list[Submission],
    export: DocumentExport,
    progress: QuerySet[DocumentExport],
) -> None:
    template = active_template(form=export.campaign.form).data
    with zipfile.ZipFile(local, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        used: set[str] = set()
        for start in range(0, len(submissions), RENDER_BATCH):
            batch = submissions[start : start + RENDER_BATCH]
            contexts = [submission_context(submission=submission) for submission in batch]
            documents = render_docx_many(template=template, contexts=contexts)
            for submission, document in zip(batch, documents, strict=True):
                archive.writestr(_unique(document_filename(submission=submission), used), document)
            if not progress.update(done=start + len(batch), heartbeat_at=timezone.now()):
                raise BuildSuperseded


def _forget(name: str | None) -> None:
    if name:
        exports_storage().delete(name)


def _unique(name: str, used: set[str]) -> str:
    stem, dot, extension = name.rpartition(".")
    candidate, counter = name, 2
    while candidate in used:
        candidate = f"{stem}-{counter}{dot}{extension}"
        counter += 1
    used.add(candidate)
    return candidate


def export_file(*, export: DocumentExport) -> File | None:
    """The complete zip, opened from the storage, or None while it is being built, if it
    failed, or if its file is gone."""
    if export.status != ExportStatus.DONE or not export.file_name:
        return None
    storage = exports_storage()
    if not storage.exists(export.file_name):
        return None
    return storage.open(export.file_name, "rb")
