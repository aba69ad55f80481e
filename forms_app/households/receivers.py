"""What the case file does when the lifecycle files or reopens one of its documents.

Receivers of ``forms_app.signals``, connected in ``forms_app.apps.FormsAppConfig.ready``;
they run inside the lifecycle's transaction (see ``forms_app.signals``).
"""

from __future__ import annotations

from typing import Any

from forms_app.households.services import household_document_filed, household_document_reopened
from forms_app.models import Submission


def household_answer_filed(sender: Any, *, submission: Submission, **kwargs: Any) -> None:
    """A household document was filed: the case file moves on (answers to a campaign,
    which belong to no household, change nothing)."""
    if submission.household_id:
        household_document_filed(submission=submission)


def household_answer_reopened(sender: Any, *, submission: Submission, **kwargs: Any) -> None:
    """A filed household document went back to draft: the case file is recomputed."""
    if submission.household_id:
        household_document_reopened(submission=submission)
