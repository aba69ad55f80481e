"""The life of an answer: draft → submitted → (returned → submitted) → accepted.

Every write is a conditional UPDATE on the answer's revision and status, so a stale save
or a second click changes nothing instead of overwriting: no lock is held, and the same
code is safe on SQLite and PostgreSQL. Each status change leaves a transition row.

A filing and a reopening are announced with ``forms_app.signals`` from inside their
transaction (the households' case files follow them): this module imports no part built
on it.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from forms_app import idempotency, signals
from forms_app.answering import file_keys
from forms_app.models import (
    EDITABLE_STATUSES,
    Campaign,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    SubmissionTransition,
)
from forms_app.versions import form_version_freeze
from portal.models import Organisation, User
from portal.text import normalise_text, normalise_value


class StaleSubmission(Exception):
    """The answer changed since the person loaded it (another tab, another colleague)."""


class NotEditable(Exception):
    """The answer is transmitted or accepted: only a return makes it editable again."""


class WrongStatus(Exception):
    """The requested transition does not start from the answer's current status."""


def submission_start(
    *,
    campaign: Campaign,
    organisation: Organisation,
    user: User | None,
    creation_token: uuid.UUID | None = None,
) -> Submission:
    """The respondent's answer to the campaign, created as a draft on the form's current version.

    Two simultaneous starts make one row (unique campaign × organisation); the row keeps
    the « Commencer » button's ``creation_token`` (forms_app.idempotency).
    """
    existing = Submission.objects.filter(campaign=campaign, organisation=organisation).first()
    if existing is not None:
        return existing
    version = form_version_freeze(form=campaign.form, user=user)
    try:
        with transaction.atomic():
            submission, _created = idempotency.create_once(
                scope=Submission.objects.filter(campaign=campaign, organisation=organisation),
                token=creation_token,
                create=lambda token: Submission.objects.create(
                    campaign=campaign,
                    organisation=organisation,
                    territory=organisation.territory,
                    form_version=version,
                    updated_by=user,
                    creation_token=token,
                ),
            )
            return submission
    except IntegrityError:
        return Submission.objects.get(campaign=campaign, organisation=organisation)


def _conditional_update(
    *, submission: Submission, expected_revision: int, statuses, **changes: Any
) -> Submission:
    updated = Submission.objects.filter(
        pk=submission.pk, revision=expected_revision, status__in=statuses
    ).update(
        revision=F("revision") + 1,
        updated_at=timezone.now(),
        **{
            name: normalise_value(value) if name in ("data", "draft_input") else value
            for name, value in changes.items()
        },
    )
    if updated == 0:
        current = Submission.objects.get(pk=submission.pk)
        if current.status not in statuses:
            raise NotEditable if set(statuses) == set(EDITABLE_STATUSES) else WrongStatus
        raise StaleSubmission
    submission.refresh_from_db()
    return submission


def submission_save_draft(
    *,
    submission: Submission,
    user: User | None,
    draft_input: dict[str, Any],
    expected_revision: int,
) -> Submission:
    """Keeps what was typed, as typed; refuses a save based on an older revision."""
    return _conditional_update(
        submission=submission,
        expected_revision=expected_revision,
        statuses=EDITABLE_STATUSES,
        draft_input=draft_input,
        updated_by_id=user.pk if user else None,
    )


@transaction.atomic
def submission_keep_input(
    *,
    submission: Submission,
    user: User | None,
    draft_input: dict[str, Any],
    uploads: dict[str, Any],
    expected_revision: int,
) -> Submission:
    """Saves what was typed as the draft and stores the (already checked) uploaded files."""
    submission = submission_save_draft(
        submission=submission,
        user=user,
        draft_input=draft_input,
        expected_revision=expected_revision,
    )
    for key, uploaded in uploads.items():
        submission_attach_file(submission=submission, user=user, key=key, uploaded=uploaded)
    return submission


def stored_file_name(original_name: str) -> str:
    """``<random>.<extension>``: short, unique, and safe on any storage."""
    extension = PurePath(original_name).suffix.lower().lstrip(".")
    extension = extension if extension.isalnum() and len(extension) <= 10 else "bin"
    return f"{uuid.uuid4().hex}.{extension}"


@transaction.atomic
def submission_attach_file(
    *, submission: Submission, user: User | None, key: str, uploaded
) -> SubmissionFile:
    """Stores the new file of one field in private storage.

    The file the transmitted answer refers to is kept until a new transmission replaces it;
    earlier draft uploads of the field, which nothing refers to, are removed.
    """
    key = normalise_text(key)
    original_name = normalise_text(uploaded.name)[:255]
    # Stored under a name of the portal's own: a person's name (long, with many dots) could
    # otherwise not fit the column and be refused by the storage; theirs is kept for display.
    uploaded.name = stored_file_name(original_name)
    stored = SubmissionFile.objects.create(
        submission=submission,
        key=key,
        file=uploaded,
        original_name=original_name,
        size=uploaded.size,
        uploaded_by=user,
    )
    for previous in SubmissionFile.objects.filter(submission=submission, key=key).exclude(
        pk=stored.pk
    ):
        if not previous.is_filed:
            _delete_stored_file(previous)
    return stored


def _delete_stored_file(stored: SubmissionFile) -> None:
    # The row goes with the transaction; its bytes once it has committed
    # (forms_app.stored_files).
    stored.delete()


def latest_files(submission: Submission) -> dict[str, SubmissionFile]:
    """The newest file of each file field."""
    return {stored.key: stored for stored in submission.files.order_by("uploaded_at", "pk")}


def _with_file_references(submission: Submission, data: dict[str, Any]) -> dict[str, Any]:
    files = latest_files(submission)
    return {
        **data,
        **{key: files[key].as_reference() for key in file_keys(submission) if key in files},
    }


def _drop_superseded_files(submission: Submission) -> None:
    for stored in submission.files.all():
        if not stored.is_filed:
            _delete_stored_file(stored)


@transaction.atomic
def submission_submit(
    *,
    submission: Submission,
    user: User | None,
    data: dict[str, Any],
    draft_input: dict[str, Any],
    expected_revision: int,
) -> Submission:
    """Transmits a checked answer, its files referenced in its data; a second click (same
    revision) raises, changing nothing."""
    from_status = submission.status
    submission = _conditional_update(
        submission=submission,
        expected_revision=expected_revision,
        statuses=EDITABLE_STATUSES,
        status=SubmissionStatus.SUBMITTED,
        data=_with_file_references(submission, data),
        draft_input=draft_input,
        submitted_at=timezone.now(),
        updated_by_id=user.pk if user else None,
    )
    SubmissionTransition.objects.create(
        submission=submission, from_status=from_status, to_status=submission.status, by=user
    )
    _drop_superseded_files(submission)
    # Inside this transaction: the case file's update commits or rolls back with the filing.
    signals.answer_filed.send(sender=Submission, submission=submission)
    return submission


@transaction.atomic
def submission_reopen(
    *, submission: Submission, user: User | None, expected_revision: int
) -> Submission:
    """Takes a filed household document back to draft for its operator (no validator is
    involved); the case file's follow-up is recomputed without it."""
    submission = _conditional_update(
        submission=submission,
        expected_revision=expected_revision,
        statuses=[SubmissionStatus.SUBMITTED],
        status=SubmissionStatus.DRAFT,
    )
    SubmissionTransition.objects.create(
        submission=submission,
        from_status=SubmissionStatus.SUBMITTED,
        to_status=SubmissionStatus.DRAFT,
        by=user,
    )
    # Inside this transaction, as for a filing.
    signals.answer_reopened.send(sender=Submission, submission=submission)
    return submission


def _decide(
    *,
    submission: Submission,
    user: User | None,
    to_status: str,
    comment: str,
    expected_revision: int,
) -> Submission:
    """A validator's decision on the transmitted answer they read (``expected_revision``)."""
    submission = _conditional_update(
        submission=submission,
        expected_revision=expected_revision,
        statuses=[SubmissionStatus.SUBMITTED],
        status=to_status,
    )
    SubmissionTransition.objects.create(
        submission=submission,
        from_status=SubmissionStatus.SUBMITTED,
        to_status=to_status,
        by=user,
        comment=comment,
    )
    return submission


@transaction.atomic
def submission_return(
    *, submission: Submission, user: User | None, comment: str, expected_revision: int
) -> Submission:
    """Sends a transmitted answer back to its authors with a comment; it becomes editable.

    ``expected_revision`` is the revision the validator read: a newer one is not returned.
    """
    return _decide(
        submission=submission,
        user=user,
        to_status=SubmissionStatus.RETURNED,
        comment=comment,
        expected_revision=expected_revision,
    )


@transaction.atomic
def submission_accept(
    *, submission: Submission, user: User | None, expected_revision: int, comment: str = ""
) -> Submission:
    """Accepts the transmitted answer the validator read (``expected_revision``)."""
    return _decide(
        submission=submission,
        user=user,
        to_status=SubmissionStatus.ACCEPTED,
        comment=comment,
        expected_revision=expected_revision,
    )
