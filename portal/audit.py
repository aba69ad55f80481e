"""The access trail: one row per read of households' data, download, export, template
change, membership change and purge (security.md #14)."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpRequest

from portal.models import AuditAction, AuditEntry, User

LIST_REFERENCE = "(liste)"  # a page listing several households by name

# The request being served, for rows written where no view hands it over (the membership
# and privilege changes that model signals see, portal.audit_changes).
_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


@contextmanager
def request_bound(request: HttpRequest):
    """Makes ``request`` the one ``current_request`` returns while the block runs."""
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def current_request() -> HttpRequest | None:
    return _current_request.get()


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from, as the web server in front of Django saw it.

    ``REMOTE_ADDR`` only: a forwarded header is the client's word, and the production
    proxy is expected to set ``REMOTE_ADDR`` (gunicorn's ``forwarded_allow_ips``)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _who(user: User | None) -> dict[str, str]:
    if user is None or not user.is_authenticated:
        return {"user_email": "", "role": "", "organisation": "", "territory_code": ""}
    memberships = list(user.memberships.select_related("organisation__territory").order_by("pk"))
    roles = sorted({m.get_role_display() for m in memberships})
    if user.is_superuser:
        roles.insert(0, "Superutilisateur")
    territories = sorted(
        {m.organisation.territory.code for m in memberships if m.organisation.territory_id}
    )
    return {
        "user_email": user.email[:254],
        "role": ", ".join(roles)[:100],
        "organisation": ", ".join(m.organisation.name for m in memberships)[:200],
        "territory_code": ", ".join(territories)[:60],
    }


def audit_record(
    *,
    user: User | None,
    action: str,
    request: HttpRequest | None = None,
    household=None,
    submission=None,
    object_type: str = "",
    object_reference: str = "",
    path: str = "",
    list_of_households: bool = False,
) -> AuditEntry:
    """Records that ``user`` (None for the portal itself, as in a purge) did ``action``
    (an ``AuditAction``) on ``household``, ``submission`` or another object.

    ``list_of_households`` marks a page that lists several households by name. The path
    and the address come from ``request`` when it is given."""
    if household is not None:
        household_reference = household.reference
    elif list_of_households:
        household_reference = LIST_REFERENCE
    else:
        household_reference = ""
    if request is not None and not path:
        path = request.get_full_path()
    return AuditEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        **_who(user),
        action=action,
        household_reference=household_reference,
        submission_id=submission.pk if submission is not None else None,
        object_type=object_type[:60],
        object_reference=str(object_reference)[:200],
        path=path[:300],
        ip=client_ip(request),
    )


__all__ = ["AuditAction", "audit_record", "client_ip", "current_request", "request_bound"]
