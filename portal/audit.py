"""The access trail of households' data: one row per read, change, download or document."""

from __future__ import annotations

from portal.models import AuditAction, AuditEntry, User

LIST_REFERENCE = "(liste)"  # a page listing several households by name


def audit_record(
    *,
    user: User,
    action: str,
    household=None,
    submission=None,
    path: str = "",
) -> AuditEntry:
    """Records that ``user`` did ``action`` (an ``AuditAction``) on ``household``'s data, or
    on a list of households when ``household`` is None."""
    organisations = user.memberships.values_list("organisation__name", flat=True)
    return AuditEntry.objects.create(
        user=user,
        organisation=", ".join(organisations)[:200],
        action=action,
        household_reference=household.reference if household is not None else LIST_REFERENCE,
        submission_id=submission.pk if submission is not None else None,
        path=path[:300],
    )


__all__ = ["AuditAction", "audit_record"]
