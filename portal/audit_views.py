"""The access trail's pages: the DIHAL administrators' « Journal des accès » in the admin
(with its CSV export) and an operator's responsable's page of their households' rows.

Thin: who may read what from portal.permissions, rows and filters from portal.audit_log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from portal import audit_log, permissions
from portal.accounts import sensitive_operation
from portal.audit import AuditAction, audit_record
from portal.downloads import private_download

PER_PAGE = 50
CSV_TYPE = "text/csv; charset=utf-8"


def _page_context(request, entries, filters) -> dict:
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"filters": filters, "page": page, "querystring": query.urlencode()}


@never_cache
def admin_audit_log(request):
    """Every row, filtered by person, organisation, territory, action and period."""
    if not permissions.can_read_audit_log(request.user):
        raise PermissionDenied
    filters = audit_log.AuditLogFilterForm(request.GET or None)
    entries = audit_log.audit_entries_filtered(entries=audit_log.audit_entries_all(), form=filters)
    return TemplateResponse(
        request, "portal/admin/audit_log.html", _page_context(request, entries, filters)
    )


@sensitive_operation
def admin_audit_log_csv(request):
    """The filtered rows as CSV; the export is itself a row of the trail."""
    if not permissions.can_read_audit_log(request.user):
        raise PermissionDenied
    filters = audit_log.AuditLogFilterForm(request.GET or None)
    entries = audit_log.audit_entries_filtered(entries=audit_log.audit_entries_all(), form=filters)
    content = audit_log.audit_entries_csv(entries=entries)
    audit_record(
        user=request.user,
        action=AuditAction.EXPORT,
        request=request,
        object_type="journal des accès",
        object_reference=request.GET.urlencode()[:200] or "sans filtre",
    )
    return private_download(
        content,
        filename=f"journal-des-acces-{timezone.localdate():%Y%m%d}.csv",
        content_type=CSV_TYPE,
    )


@login_required
@never_cache
def operator_audit_log(request):
    """An operator's responsable: who read or downloaded what of their households."""
    if not permissions.can_read_operator_audit_log(request.user):
        raise PermissionDenied
    filters = audit_log.AuditLogFilterForm(request.GET or None, with_organisation=False)
    entries = audit_log.audit_entries_filtered(
        entries=audit_log.audit_entries_of_operators(user=request.user), form=filters
    )
    return TemplateResponse(
        request, "portal/audit_log.html", _page_context(request, entries, filters)
    )
