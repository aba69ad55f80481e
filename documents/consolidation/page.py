"""The consolidated tables' page for a person's scope: the headline figures, the charts,
the sortable tables, the answers' status from the tracker and the files to download
(:func:`page_context`). The parts computed from the filed answers are rendered once per
scope and kept until an answer changes (``page_cache``).

Imports ``vocabulary``, ``rules``, ``frames``, ``format``, ``charts``, ``display``,
``files``, ``selectors``, ``build`` and ``page_cache``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.template.loader import render_to_string

from documents.consolidation import charts, selectors
from documents.consolidation.build import scope_consolidation
from documents.consolidation.display import (
    comparison_table,
    field_counts_table,
    procedures_table,
    region_table,
    sort_from,
    status_table,
    synthesis_table,
    territory_table,
)
from documents.consolidation.files import csv_tables
from documents.consolidation.format import measure_text
from documents.consolidation.frames import Consolidation
from documents.consolidation.page_cache import CachedTables, cached_tables, tables_key
from documents.consolidation.rules import RuleKind
from documents.consolidation.selectors import (
    LEVELS,
    NATIONAL,
    ConsolidationScope,
    consolidation_scope,
    scope_status_counts,
)
from documents.consolidation.status_chart import answer_status_bar
from documents.consolidation.vocabulary import Measure

# The bilan d'étape's headline figures, when the form has them: households met, diagnosed,
# supported, debts resolved, rehoused, then the three computed indicators.
KEY_FIGURES = (
    "nb_menages_rencontres",
    "nb_diagnostics",
    "nb_menages_accompagnes",
    "nb_impayes_resorbes",
    "nb_relogements_accompagnes",
    "menages_par_jour",
    "taux_accompagnement",
    "taux_resorption",
)
MAX_FIGURES = 8  # a form without those keys: its first figures
CHART_MEASURE = "nb_menages_rencontres"
# The parts of the page rendered from the filed answers and kept (``page_cache``).
CACHED_PARTS = {
    "scope_line": "documents/consolidation_scope_line.html",
    "tables": "documents/consolidation_tables.html",
    "files": "documents/consolidation_files.html",
}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    text: str


def key_measures(measures: Sequence[Measure]) -> list[Measure]:
    """The headline figures: the bilan's when the form has them, else its first ones (the
    year-on-year changes have their own table)."""
    by_key = {m.key: m for m in measures}
    chosen = [by_key[key] for key in KEY_FIGURES if key in by_key]
    if chosen:
        return chosen
    return [m for m in measures if m.rule != RuleKind.EVOLUTION][:MAX_FIGURES]


def chart_measure(measures: Sequence[Measure]) -> Measure | None:
    """What the territory bars show: households met, else the first summed figure."""
    by_key = {m.key: m for m in measures}
    if CHART_MEASURE in by_key:
        return by_key[CHART_MEASURE]
    return next((m for m in measures if m.rule == RuleKind.SOMME), None)


def key_figures(consolidation: Consolidation) -> list[Figure]:
    row = consolidation.national_row
    return [
        Figure(m.key, m.label, measure_text(row.get(m.key), m))
        for m in key_measures(consolidation.measures)
    ]


def has_answers(consolidation: Consolidation) -> bool:
    return len(consolidation.answers) > 0


def _choice_links(scope: ConsolidationScope) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """Links from a territory's or a region's name to its own tables (DIHAL only)."""
    if not scope.can_choose:
        return None, None
    territories = {t.code: f"?{urlencode({'departement': t.code})}" for t in scope.territories}
    regions = {name: f"?{urlencode({'region': name})}" for name in scope.regions}
    return territories, regions


def tables_context(*, campaign, consolidation: Consolidation, scope, sort) -> dict:
    """What the cached parts of the page show: key figures, charts and tables of the scope,
    the files to download (everything computed from the filed answers)."""
    query = {**scope.query, **({"niveau": scope.level} if scope.level != NATIONAL else {})}
    measures = key_measures(consolidation.measures)
    territory_links, region_links = _choice_links(scope)
    shown = chart_measure(consolidation.measures)
    procedures, comparison = consolidation.procedures, consolidation.comparison
    label = consolidation.scope_label
    return {
        "campaign": campaign,
        "consolidation": consolidation,
        "scope": scope,
        "has_answers": has_answers(consolidation),
        "figures": key_figures(consolidation),
        "territory_chart": (
            charts.territory_bars(by_territory=consolidation.by_territory, measure=shown)
            if shown
            else None
        ),
        "territory_table": territory_table(
            consolidation, measures=measures, sort=sort, query=query, links=territory_links
        ),
        "procedure_chart": charts.procedure_bars(procedures=procedures, scope_label=label),
        "procedures_table": procedures_table(procedures, scope_label=label) if procedures else None,
        "comparison_table": comparison_table(comparison, scope_label=label) if comparison else None,
        "region_table": (
            region_table(
                consolidation, measures=measures, sort=sort, query=query, links=region_links
            )
            if consolidation.is_national
            else None
        ),
        "synthesis_table": synthesis_table(consolidation),
        "csv_tables": csv_tables(consolidation=consolidation),
    }


def _rendered_tables(*, campaign, consolidation: Consolidation, scope, sort) -> CachedTables:
    context = tables_context(campaign=campaign, consolidation=consolidation, scope=scope, sort=sort)
    return CachedTables(
        html={part: render_to_string(template, context) for part, template in CACHED_PARTS.items()},
        territory_codes=consolidation.territory_codes,
    )


def _scope_territories(scope: ConsolidationScope) -> list:
    """The territories the tables cover (``selectors.consolidation_territories``, without a
    query: the scope holds those the person follows)."""
    return [
        t
        for t in scope.territories
        if (not scope.region or t.region == scope.region)
        and (not scope.territory_code or t.code == scope.territory_code)
    ]


def page_context(*, campaign, user, params: Mapping[str, str]) -> dict:
    """Everything the consolidated tables' page shows to ``user`` for the filters and the
    sort in ``params``: the parts computed from the filed answers (kept between requests,
    ``page_cache``), the answers' status from the tracker and the household counts."""
    scope = consolidation_scope(user=user, params=params)
    sort = sort_from(params)
    built: list[Consolidation] = []

    def render() -> CachedTables:
        built.append(scope_consolidation(campaign=campaign, user=user, scope=scope))
        return _rendered_tables(campaign=campaign, consolidation=built[0], scope=scope, sort=sort)

    tables = cached_tables(
        key=tables_key(campaign=campaign, user=user, scope=scope, sort=sort), render=render
    )
    field_counts, field_count_columns = (
        (built[0].field_counts, built[0].field_count_columns)
        if built
        else selectors.field_counts(
            campaign=campaign, user=user, territories=_scope_territories(scope)
        )
    )
    status = answer_status_bar(
        counts=scope_status_counts(
            campaign=campaign, user=user, territory_codes=tables.territory_codes
        )
    )
    return {
        "campaign": campaign,
        "scope": scope,
        "levels": LEVELS,
        "tables": tables.html,
        "status_chart": status,
        "status_table": status_table(status),
        "field_counts_table": (
            field_counts_table(field_counts, field_count_columns)
            if field_counts is not None and len(field_counts)
            else None
        ),
    }
