"""The bytes behind stored rows go with the rows: however a SubmissionFile is deleted (a
household purged, a draft dropped, a cascade from the admin), its file leaves storage once
the deletion has committed."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from forms_app.models import SubmissionFile


@receiver(post_delete, sender=SubmissionFile, dispatch_uid="submission_file_bytes")
def submission_file_bytes_delete(sender, instance: SubmissionFile, **kwargs) -> None:
    """A signal because cascades (Household → Submission → SubmissionFile) call no service;
    on commit, so that a rolled-back deletion keeps its file."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
