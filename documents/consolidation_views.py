"""A campaign's consolidated tables: the page (figures, charts, sortable tables) and its
files (XLSX workbook, one CSV per table, Word report), all within the person's scope.

Thin: access via ``portal.permissions.can_see_consolidation``; figures from
``documents.consolidation``; files from ``documents.consolidation_files`` and
``documents.consolidation_report``; what the page shows from ``documents.consolidation_display``
and ``documents.charts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from documents import charts, consolidation_display, consolidation_files, consolidation_report
from documents.consolidation import (
    Consolidation,
    campaign_consolidation,
    consolidation_territories,
    sort_key_fr,
)
from documents.views import DOCX_TYPE
from forms_app import tracker
from forms_app.models import Campaign
from portal import permissions

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
LEVELS = {"national": "France entière", "region": "Par région", "departement": "Par département"}


def _campaign(request, pk: int) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("form"), pk=pk)
    if not permissions.can_see_consolidation(request.user, campaign):
        raise PermissionDenied
    return campaign


@dataclass
class Scope:
    """The filters asked for, kept only within the territories the person follows."""

    region: str | None = None
    territory_code: str | None = None
    level: str = "national"
    regions: list[str] = field(default_factory=list)
    territories: list = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def query(self) -> dict[str, str]:
        return {
            key: value
            for key, value in (("region", self.region), ("departement", self.territory_code))
            if value
        }

    @property
    def querystring(self) -> str:
        return f"?{urlencode(self.query)}" if self.query else ""

    @property
    def can_choose(self) -> bool:
        return len(self.territories) > 1


def _scope(request) -> Scope:
    """``?region=<name>`` and ``?departement=<code>``: a filter outside the person's
    territories is set aside (its own scope is shown, never more), with a word why."""
    followed = list(consolidation_territories(user=request.user))
    scope = Scope(
        regions=sorted({t.region for t in followed}, key=sort_key_fr),
        territories=followed,
    )
    region = (request.GET.get("region") or "").strip()
    code = (request.GET.get("departement") or "").strip()
    if region and region not in scope.regions:
        scope.notices.append(
            f"La région « {region} » n'est pas dans votre périmètre : filtre non appliqué."
        )
        region = ""
    if code and code not in {t.code for t in followed}:
        scope.notices.append(
            f"Le département « {code} » n'est pas dans votre périmètre : filtre non appliqué."
        )
        code = ""
    scope.region, scope.territory_code = region or None, code or None
    asked = request.GET.get("niveau", "")
    if code:
        scope.level = "departement"
    elif region:
        scope.level = "region"
    elif asked in LEVELS and scope.can_choose:
        scope.level = asked
    return scope


def _consolidation(request, campaign: Campaign, scope: Scope) -> Consolidation:
    return campaign_consolidation(
        campaign=campaign,
        user=request.user,
        region=scope.region,
        territory_code=scope.territory_code,
    )


def _status_counts(campaign: Campaign, user, codes: list[str]) -> tracker.TrackerCounts:
    """The tracker's counts over the territories of the tables (the filters included)."""
    followed = tracker.campaign_tracker(campaign=campaign, user=user)
    wanted = set(codes)
    rows = [row for row in followed.rows if row.answer.organisation.territory.code in wanted]
    return tracker.tracker_counts(rows=rows)


@login_required
@never_cache
def consolidation_page(request, pk: int):
    """The campaign's consolidated tables: headline figures, charts and sortable tables for
    the nation, a region or a département (DIHAL) or the prefecture's territory."""
    campaign = _campaign(request, pk)
    scope = _scope(request)
    consolidation = _consolidation(request, campaign, scope)
    sort = consolidation_display.sort_from(request.GET)
    query = {**scope.query, **({"niveau": scope.level} if scope.level != "national" else {})}
    measures = consolidation_display.key_measures(consolidation.measures)
    status = charts.answer_status_bar(
        counts=_status_counts(campaign, request.user, consolidation.territory_codes)
    )
    territory_links = region_links = None
    if scope.can_choose:
        territory_links = {
            t.code: f"?{urlencode({'departement': t.code})}" for t in scope.territories
        }
        region_links = {name: f"?{urlencode({'region': name})}" for name in scope.regions}
    chart_measure = consolidation_display.chart_measure(consolidation.measures)
    procedures, comparison = consolidation.procedures, consolidation.comparison
    field_counts = consolidation.field_counts
    label = consolidation.scope_label
    context = {
        "campaign": campaign,
        "consolidation": consolidation,
        "scope": scope,
        "levels": LEVELS,
        "has_answers": consolidation_display.has_answers(consolidation),
        "figures": consolidation_display.key_figures(consolidation),
        "territory_chart": (
            charts.territory_bars(by_territory=consolidation.by_territory, measure=chart_measure)
            if chart_measure
            else None
        ),
        "territory_table": consolidation_display.territory_table(
            consolidation, measures=measures, sort=sort, query=query, links=territory_links
        ),
        "procedure_chart": charts.procedure_bars(procedures=procedures, scope_label=label),
        "procedures_table": (
            consolidation_display.procedures_table(procedures, scope_label=label)
            if procedures
            else None
        ),
        "comparison_table": (
            consolidation_display.comparison_table(comparison, scope_label=label)
            if comparison
            else None
        ),
        "region_table": (
            consolidation_display.region_table(
                consolidation, measures=measures, sort=sort, query=query, links=region_links
            )
            if consolidation.is_national
            else None
        ),
        "status_chart": status,
        "status_table": consolidation_display.status_table(status),
        "field_counts_table": (
            consolidation_display.field_counts_table(
                field_counts, consolidation.field_count_columns
            )
            if field_counts is not None and len(field_counts)
            else None
        ),
        "synthesis_table": consolidation_display.synthesis_table(consolidation),
        "csv_tables": consolidation_files.csv_tables(consolidation=consolidation),
    }
    return TemplateResponse(request, "documents/consolidation.html", context)


def _download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def consolidation_xlsx(request, pk: int):
    """The workbook of the tables, within the same scope as the page."""
    campaign = _campaign(request, pk)
    consolidation = _consolidation(request, campaign, _scope(request))
    return _download(
        consolidation_files.consolidation_xlsx(consolidation=consolidation),
        filename=consolidation_files.consolidation_filename(
            consolidation=consolidation, extension="xlsx"
        ),
        content_type=XLSX_TYPE,
    )


@login_required
def consolidation_csv(request, pk: int, table: str):
    """One table as CSV for French Excel; a table this consolidation lacks is not found."""
    campaign = _campaign(request, pk)
    consolidation = _consolidation(request, campaign, _scope(request))
    try:
        content = consolidation_files.consolidation_csv(consolidation=consolidation, table=table)
    except ValueError:
        raise Http404 from None
    return _download(
        content,
        filename=consolidation_files.consolidation_filename(
            consolidation=consolidation, extension="csv", table=table
        ),
        content_type=CSV_TYPE,
    )


@login_required
def consolidation_docx(request, pk: int):
    """The consolidated Word report of the scope."""
    campaign = _campaign(request, pk)
    consolidation = _consolidation(request, campaign, _scope(request))
    return _download(
        consolidation_report.consolidation_docx(consolidation=consolidation),
        filename=consolidation_files.consolidation_filename(
            consolidation=consolidation, extension="docx", table="rapport"
        ),
        content_type=DOCX_TYPE,
    )
