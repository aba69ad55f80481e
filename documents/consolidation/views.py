"""A campaign's consolidated tables: the page (figures, charts, sortable tables) and its
files (XLSX workbook, one CSV per table, Word report), all within the person's scope.

Thin: access via ``portal.permissions.can_see_consolidation``; the scope from
``documents.consolidation.selectors`` and its figures from ``documents.consolidation.build``;
what the page shows from ``documents.consolidation.page``; files from
``documents.consolidation.files``, ``documents.consolidation.workbook`` and
``documents.consolidation.report``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from documents.consolidation import files, page, report, workbook
from documents.consolidation.build import scope_consolidation
from documents.consolidation.selectors import consolidation_scope
from documents.rendering.sandbox import RenderLimitExceeded
from documents.rendering.store import DOCX_TYPE
from forms_app.models import Campaign
from portal import permissions
from portal.audit import AuditAction, audit_record
from portal.downloads import private_download

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _campaign(request, pk: int) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("form"), pk=pk)
    if not permissions.can_see_consolidation(request.user, campaign):
        raise PermissionDenied
    return campaign


@login_required
@never_cache
def consolidation_page(request, pk: int):
    """The campaign's consolidated tables: headline figures, charts and sortable tables for
    the nation, a region or a département (DIHAL) or the prefecture's territory."""
    campaign = _campaign(request, pk)
    context = page.page_context(campaign=campaign, user=request.user, params=request.GET)
    return TemplateResponse(request, "documents/consolidation.html", context)


def _record_download(request, campaign: Campaign, *, what: str, scope) -> None:
    """One row per file downloaded: which file of which campaign, and for which scope."""
    filters = ", ".join(f"{key} {value}" for key, value in scope.query.items()) or "national"
    audit_record(
        user=request.user,
        action=AuditAction.DOWNLOAD,
        request=request,
        object_type="tableau consolidé",
        object_reference=f"campagne {campaign.pk} « {campaign} », {what} ({filters})",
    )


@login_required
def consolidation_xlsx(request, pk: int):
    """The workbook of the tables, within the same scope as the page."""
    campaign = _campaign(request, pk)
    scope = consolidation_scope(user=request.user, params=request.GET)
    consolidation = scope_consolidation(campaign=campaign, user=request.user, scope=scope)
    _record_download(request, campaign, what="classeur XLSX", scope=scope)
    return private_download(
        workbook.consolidation_xlsx(consolidation=consolidation),
        filename=files.consolidation_filename(consolidation=consolidation, extension="xlsx"),
        content_type=XLSX_TYPE,
    )


@login_required
def consolidation_csv(request, pk: int, table: str):
    """One table as CSV for French Excel; a table this consolidation lacks is not found.
    Only what the table needs is computed (the comparison, the household counts)."""
    campaign = _campaign(request, pk)
    scope = consolidation_scope(user=request.user, params=request.GET)
    consolidation = scope_consolidation(
        campaign=campaign,
        user=request.user,
        scope=scope,
        with_comparison=table == "comparaison",
        with_field_counts=table == "menages",
    )
    try:
        content = files.consolidation_csv(consolidation=consolidation, table=table)
    except ValueError:
        raise Http404 from None
    _record_download(request, campaign, what=f"tableau « {table} » en CSV", scope=scope)
    return private_download(
        content,
        filename=files.consolidation_filename(
            consolidation=consolidation, extension="csv", table=table
        ),
        content_type=CSV_TYPE,
    )


@login_required
def consolidation_docx(request, pk: int):
    """The consolidated Word report of the scope (figures only: no household counts)."""
    campaign = _campaign(request, pk)
    scope = consolidation_scope(user=request.user, params=request.GET)
    consolidation = scope_consolidation(
        campaign=campaign, user=request.user, scope=scope, with_field_counts=False
    )
    try:
        content = report.consolidation_docx(consolidation=consolidation)
    except RenderLimitExceeded as error:
        messages.error(request, str(error))
        return redirect("documents:consolidation", pk=pk)
    _record_download(request, campaign, what="rapport Word", scope=scope)
    return private_download(
        content,
        filename=files.consolidation_filename(
            consolidation=consolidation, extension="docx", table="rapport"
        ),
        content_type=DOCX_TYPE,
    )
