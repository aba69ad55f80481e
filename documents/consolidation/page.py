"""The consolidated tables' page for a person's scope: the headline figures, the charts,
the sortable tables, the answers' status from the tracker and the files to download
(:func:`page_context`).

Imports ``vocabulary``, ``rules``, ``frames``, ``format``, ``charts``, ``display``,
``files``, ``selectors`` and ``build``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from documents.consolidation import charts
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


def page_context(*, campaign, user, params: Mapping[str, str]) -> dict:
    """Everything the consolidated tables' page shows to ``user`` for the filters and the
    sort in ``params``: key figures, charts and tables of the scope, the answers' status
    from the tracker, the files to download."""
    scope = consolidation_scope(user=user, params=params)
    consolidation = scope_consolidation(campaign=campaign, user=user, scope=scope)
    sort = sort_from(params)
    query = {**scope.query, **({"niveau": scope.level} if scope.level != NATIONAL else {})}
    measures = key_measures(consolidation.measures)
    territory_links, region_links = _choice_links(scope)
    shown = chart_measure(consolidation.measures)
    procedures, comparison = consolidation.procedures, consolidation.comparison
    field_counts, label = consolidation.field_counts, consolidation.scope_label
    status = answer_status_bar(
        counts=scope_status_counts(
            campaign=campaign, user=user, territory_codes=consolidation.territory_codes
        )
    )
    return {
        "campaign": campaign,
        "consolidation": consolidation,
        "scope": scope,
        "levels": LEVELS,
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
        "status_chart": status,
        "status_table": status_table(status),
        "field_counts_table": (
            field_counts_table(field_counts, consolidation.field_count_columns)
            if field_counts is not None and len(field_counts)
            else None
        ),
        "synthesis_table": synthesis_table(consolidation),
        "csv_tables": csv_tables(consolidation=consolidation),
    }
