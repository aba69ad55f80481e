"""Retention purge as a whole: what outlived its period goes, once a day. The households
(their notice to operators, their anonymous counts) are decided in
forms_app.households.retention; the abandoned drafts here. What other apps keep for a while
(the documents app's generated exports) is purged by steps they register here
(``purge_step_register``, from their ``AppConfig.ready``): this app imports none of them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, fields

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from forms_app.households.retention import (
    add_months,
    anonymous_counts_write,
    expired_households,
    purge_notices_send,
)
from forms_app.models import Household, Submission, SubmissionFile, SubmissionStatus
from portal.audit import audit_record
from portal.models import AuditAction


def expired_drafts(*, now: datetime.datetime) -> QuerySet[Submission]:
    """Drafts nobody touched for PORTAL_RETENTION_DRAFT_MONTHS. A filed household document
    taken back to draft (``submitted_at`` set) is part of the case file and follows it."""
    limit = add_months(now, -settings.PORTAL_RETENTION_DRAFT_MONTHS)
    return Submission.objects.filter(
        status=SubmissionStatus.DRAFT, submitted_at__isnull=True, updated_at__lt=limit
    )


@dataclass(frozen=True)
class PurgeReport:
    """What one purge run deleted (or would delete, in a dry run)."""

    households: int = 0
    documents: int = 0
    files: int = 0
    drafts: int = 0
    exports: int = 0
    notices: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        """The audit row's object reference, in French."""
        return (
            f"{self.households} ménage(s), {self.documents} document(s), {self.files} "
            f"fichier(s), {self.drafts} brouillon(s), {self.exports} export(s)"
        )


# A purge step: deletes what expired by ``now`` (nothing with ``dry_run``) and returns how
# many things went (or would go).
PurgeStep = Callable[..., int]

_purge_steps: dict[str, PurgeStep] = {}


def purge_step_register(*, name: str, purge: PurgeStep) -> None:
    """Adds a step to every purge: ``purge(now=..., dry_run=...)`` runs inside the purge's
    transaction, after the households and drafts went, and its count fills the report's
    field ``name`` (``"exports"``). Registering a name again replaces its step."""
    if name not in {field.name for field in fields(PurgeReport)} or name == "dry_run":
        raise ValueError(f"{name!r} is not a count of PurgeReport")
    _purge_steps[name] = purge


def purge_steps_run(*, now: datetime.datetime, dry_run: bool) -> dict[str, int]:
    """The registered steps' counts by report field, each step run (or only counted)."""
    return {name: purge(now=now, dry_run=dry_run) for name, purge in _purge_steps.items()}


def purge_expired_data(
    *, now: datetime.datetime | None = None, dry_run: bool = False
) -> PurgeReport:
    """Warns operators of deletions to come, then deletes the expired households (their
    documents, contacts and files, after writing their anonymous counts), the abandoned
    drafts and what the registered steps purge (the expired exports); one audit row says
    what went. ``dry_run`` counts and changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        notices = purge_notices_send(now=now, dry_run=dry_run)
        expired = Household.objects.filter(pk__in=[h.pk for h in expired_households(now=now)])
        drafts = expired_drafts(now=now).exclude(household__in=expired)
        documents = Submission.objects.filter(household__in=expired)
        report = PurgeReport(
            households=expired.count(),
            documents=documents.count(),
            files=SubmissionFile.objects.filter(submission__in=documents | drafts).count(),
            drafts=drafts.count(),
            **purge_steps_run(now=now, dry_run=True),
            notices=notices,
            dry_run=dry_run,
        )
        if dry_run:
            return report
        anonymous_counts_write(households=expired, now=now)
        drafts.delete()  # their files leave storage on commit (forms_app.stored_files)
        expired.delete()  # documents, contacts and files cascade
        purge_steps_run(now=now, dry_run=False)
        audit_record(
            user=None,
            action=AuditAction.PURGE,
            object_type="purge",
            object_reference=report.summary(),
        )
    return report


@task()
def purge_expired_data_task() -> dict[str, int]:
    """The purge as a background task, for a scheduler to run once a day."""
    report = purge_expired_data()
    return {
        "households": report.households,
        "documents": report.documents,
        "files": report.files,
        "drafts": report.drafts,
        "exports": report.exports,
        "notices": report.notices,
    }
