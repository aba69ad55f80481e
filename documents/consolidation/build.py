"""A campaign's consolidation within what a person may see: the entry point that reads
through the selectors and computes with the frames.

Every filed answer (transmitted or accepted) in the reader's scope becomes one row of the
answers table; the figures are totalled by territory, region and nation following the
form's declared rules, and the other campaigns of the same form are set side by side.
Files, pages and the Word report all read the :class:`~documents.consolidation.frames.
Consolidation` built here.

Imports ``vocabulary``, ``rules``, ``frames``, ``answers`` and ``selectors``.
"""

from __future__ import annotations

import pandas as pd

from documents.consolidation import selectors
from documents.consolidation.answers import Answers, answers_table
from documents.consolidation.frames import (
    Comparison,
    Consolidation,
    aggregate,
    comparison_of,
    measures_for,
    national_totals,
    procedure_figures,
    region_totals,
    territory_totals,
)
from documents.consolidation.rules import Rule
from documents.consolidation.selectors import ConsolidationScope
from documents.consolidation.vocabulary import Measure
from forms_app.models import Campaign
from portal import permissions
from portal.models import Territory
from portal.selectors import collation_key


def scope_label(*, territories: list[Territory], is_national: bool, region: str | None) -> str:
    """« France entière (101 territoires) », « Isère (38) », « Région Bretagne (4
    territoires) »: what the tables cover, in French."""
    if is_national:
        return f"France entière ({len(territories)} territoires)"
    if len(territories) == 1:
        territory = territories[0]
        return f"{territory.name} ({territory.code})"
    count = f"{len(territories)} territoire{'s' if len(territories) > 1 else ''}"
    if region:
        return f"Région {region} ({count})"
    return count


def _answers(*, campaign: Campaign, user, territory_ids: list[int]) -> Answers:
    rows = selectors.answer_rows(
        answers=selectors.filed_answers(campaign=campaign, user=user, territory_ids=territory_ids)
    )
    return answers_table(rows=rows, versions=selectors.form_versions(form_id=campaign.form_id))


def _comparison(
    *,
    campaign: Campaign,
    user,
    territory_ids: list[int],
    rules: list[Rule],
    measures: list[Measure],
    current: pd.DataFrame,
) -> Comparison | None:
    campaigns = selectors.compared_campaigns(campaign=campaign)
    if len(campaigns) < 2:
        return None
    totals = {}
    for other in campaigns:
        if other.pk == campaign.pk:
            totals[other.pk] = current
        else:
            frame = _answers(campaign=other, user=user, territory_ids=territory_ids).frame
            totals[other.pk] = aggregate(frame, by=None, rules=rules)
    return comparison_of(campaigns=campaigns, totals=totals, measures=measures)


def campaign_consolidation(
    *,
    campaign: Campaign,
    user,
    region: str | None = None,
    territory_code: str | None = None,
    with_comparison: bool = True,
    with_field_counts: bool = True,
) -> Consolidation:
    """The campaign's consolidated tables within what ``user`` may see (DIHAL: every
    territory; a prefecture: its own), narrowed to a region or a département if asked."""
    territories = list(
        selectors.consolidation_territories(user=user, region=region, territory_code=territory_code)
    )
    is_national = not region and not territory_code and permissions.is_dihal_member(user)
    territory_ids = [t.pk for t in territories]
    answers = _answers(campaign=campaign, user=user, territory_ids=territory_ids)
    frame = answers.frame
    rules = selectors.rules_for_form(form=campaign.form, columns=answers.columns)
    measures = measures_for(rules=rules, columns=answers.columns)
    label = scope_label(territories=territories, is_national=is_national, region=region)
    national = national_totals(label=label, territories=territories, frame=frame, rules=rules)
    field_counts, field_count_columns = (
        selectors.field_counts(campaign=campaign, user=user, territories=territories)
        if with_field_counts
        else (None, [])
    )
    comparison = (
        _comparison(
            campaign=campaign,
            user=user,
            territory_ids=territory_ids,
            rules=rules,
            measures=measures,
            current=national,
        )
        if with_comparison
        else None
    )
    return Consolidation(
        campaign=campaign,
        scope_label=label,
        is_national=is_national,
        territory_codes=[t.code for t in territories],
        answer_columns=answers.columns,
        answers=frame,
        groups=answers.groups,
        measures=measures,
        by_territory=territory_totals(territories=territories, frame=frame, rules=rules),
        by_region=region_totals(
            territories=territories, frame=frame, rules=rules, sort_key=collation_key
        ),
        national=national,
        procedures=procedure_figures(rules=rules, frame=frame),
        comparison=comparison,
        field_counts=field_counts,
        field_count_columns=field_count_columns,
    )


def scope_consolidation(
    *,
    campaign: Campaign,
    user,
    scope: ConsolidationScope,
    with_comparison: bool = True,
    with_field_counts: bool = True,
) -> Consolidation:
    """The campaign's consolidated tables over ``scope``."""
    return campaign_consolidation(
        campaign=campaign,
        user=user,
        region=scope.region,
        territory_code=scope.territory_code,
        with_comparison=with_comparison,
        with_field_counts=with_field_counts,
    )
