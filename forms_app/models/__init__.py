"""The forms app's models: form settings and versions, campaigns and answers, households
and what purged households leave behind."""

from forms_app.models.forms import (
    EDITABLE_STATUSES,
    Campaign,
    CampaignReminder,
    Filler,
    FormSettings,
    FormVersion,
    HouseholdRole,
    Scope,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    SubmissionTransition,
    Validator,
)
from forms_app.models.households import (
    ContactAttempt,
    ContactMode,
    ContactResult,
    Household,
    HouseholdSource,
    HouseholdStatus,
    ProcedureStage,
)
from forms_app.models.retention import PurgedHouseholdCounts

__all__ = [
    "EDITABLE_STATUSES",
    "Campaign",
    "CampaignReminder",
    "ContactAttempt",
    "ContactMode",
    "ContactResult",
    "Filler",
    "FormSettings",
    "FormVersion",
    "Household",
    "HouseholdRole",
    "HouseholdSource",
    "HouseholdStatus",
    "ProcedureStage",
    "PurgedHouseholdCounts",
    "Scope",
    "Submission",
    "SubmissionFile",
    "SubmissionStatus",
    "SubmissionTransition",
    "Validator",
]
