"""Consolidated tables computed with pandas: frames in, frames out.

The answers' frame (one row per filed answer, ``documents.consolidation.answers``) is
totalled by territory, region and nation following the form's rules
(``documents.consolidation.rules``): sums, averages (weighted or not), ratios computed from
the totals (never averaged ratios) and year-on-year changes N / N-1; the campaigns of one
form are set side by side. :class:`Consolidation` holds what the page, the files and the
Word report read; none of them queries answers on its own.

No database and no Django here: territories and campaigns come in as plain objects
(``vocabulary.Place``, ``vocabulary.CampaignRef``). Imports ``vocabulary`` and ``rules``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from documents.consolidation.rules import Rule, RuleKind
from documents.consolidation.vocabulary import (
    CODE,
    DECIMAL,
    DEPARTEMENT,
    INTEGER,
    META_COLUMNS,
    PLACE_COLUMNS,
    POINTS,
    RATE,
    REGION,
    REPONSES,
    CampaignRef,
    Column,
    Measure,
    Place,
    Procedure,
)


@dataclass
class GroupTable:
    """A repeatable group's lines, one row per line, with who answered."""

    key: str
    label: str
    columns: list[Column]
    frame: pd.DataFrame


@dataclass
class Comparison:
    """The scope's figures in each opened campaign of the form up to the viewed one, oldest
    first, and the change from the previous campaign to the viewed one (``current``)."""

    campaigns: list[CampaignRef]
    frame: pd.DataFrame  # index: measure key; columns: "c<pk>" per campaign, then "evolution"
    measures: list[Measure]
    previous: CampaignRef
    current: CampaignRef

    def column(self, campaign: CampaignRef) -> str:
        return f"c{campaign.pk}"

    @staticmethod
    def evolution_kind(measure: Measure) -> str:
        """A rate changes in points (40 % → 42 % is +2 points), anything else relatively."""
        return POINTS if measure.kind == RATE else RATE


@dataclass
class Consolidation:
    """A campaign's consolidated tables within one person's scope (``build``)."""

    campaign: CampaignRef
    scope_label: str
    is_national: bool
    territory_codes: list[str]
    answer_columns: list[Column]
    answers: pd.DataFrame
    groups: list[GroupTable]
    measures: list[Measure]
    by_territory: pd.DataFrame
    by_region: pd.DataFrame
    national: pd.DataFrame
    procedures: list[Procedure]
    comparison: Comparison | None
    field_counts: pd.DataFrame | None = None
    field_count_columns: list[Column] = field(default_factory=list)

    @property
    def meta_columns(self) -> tuple[Column, ...]:
        return META_COLUMNS

    @property
    def national_row(self) -> dict[str, Any]:
        return self.national.iloc[0].to_dict() if len(self.national) else {}


FRENCH_NUMBER_NOISE = str.maketrans({" ": None, "\u00a0": None, "\u202f": None, ",": "."})


def as_numbers(values: pd.Series) -> pd.Series:
    """A column as numbers: JSON numbers and exact decimal strings, and French writing
    (« 1 234,50 ») from older stores; anything else (a list, a word) is empty."""
    if values.dtype == object:
        values = values.map(
            lambda v: (
                v.translate(FRENCH_NUMBER_NOISE)
                if isinstance(v, str)
                else (None if isinstance(v, (bool, list, dict)) else v)
            )
        )
    return pd.to_numeric(values, errors="coerce").astype("Float64")


def typed_frame(records: list[dict], columns: Sequence[Column]) -> pd.DataFrame:
    """Records as a frame with ``columns`` in order, the numeric ones as numbers."""
    frame = pd.DataFrame.from_records(records, columns=[c.key for c in columns])
    for column in columns:
        if column.is_numeric:
            frame[column.key] = as_numbers(frame[column.key])
    return frame


def measures_for(*, rules: list[Rule], columns: list[Column]) -> list[Measure]:
    labels = {c.key: c for c in columns}
    measures = []
    for rule in rules:
        column = labels.get(rule.key)
        if rule.kind in (RuleKind.SOMME, RuleKind.MOYENNE):
            label = rule.label or (column.label if column else rule.key)
            kind = column.kind if column and column.is_numeric else DECIMAL
            if rule.kind == RuleKind.MOYENNE and kind == INTEGER:
                kind = DECIMAL
            measures.append(Measure(rule.key, label, rule.kind, kind))
        elif rule.kind == RuleKind.RATIO:
            measures.append(
                Measure(rule.key, rule.label, rule.kind, RATE if rule.percent else DECIMAL)
            )
        elif rule.kind == RuleKind.EVOLUTION:
            measures.append(Measure(rule.key, rule.label, rule.kind, RATE))
    return measures


def _numeric(frame: pd.DataFrame, key: str) -> pd.Series:
    if key in frame.columns:
        return as_numbers(frame[key])
    return pd.Series(pd.NA, index=frame.index, dtype="Float64")


def _divide(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    denominator = denominator.where(denominator != 0)
    return (numerator / denominator).astype("Float64")


def aggregate(frame: pd.DataFrame, *, by: str | None, rules: list[Rule]) -> pd.DataFrame:
    """The declared figures of ``frame`` grouped by ``by`` (one row per value), or over the
    whole frame when ``by`` is None. Sums of nothing are empty, not zero."""
    work = frame.copy()
    work["_group"] = work[by] if by else "_"
    keys = sorted(
        {key for rule in rules for key in rule.summed_keys()}
        | {rule.weight for rule in rules if rule.kind == RuleKind.MOYENNE and rule.weight}
    )
    numbers = pd.DataFrame({key: _numeric(work, key) for key in keys}, index=work.index)
    numbers["_group"] = work["_group"]
    grouped = numbers.groupby("_group", sort=False)
    sums = grouped[keys].sum(min_count=1) if keys else pd.DataFrame(index=grouped.size().index)
    result = pd.DataFrame(index=sums.index)
    result[REPONSES] = grouped.size().astype("Int64")
    for rule in rules:
        if rule.kind == RuleKind.SOMME:
            result[rule.key] = sums[rule.key]
        elif rule.kind == RuleKind.MOYENNE:
            values = _numeric(work, rule.key)
            if rule.weight:
                weight = _numeric(work, rule.weight).where(values.notna())
                weighted = (values * weight).groupby(work["_group"], sort=False).sum(min_count=1)
                total = weight.groupby(work["_group"], sort=False).sum(min_count=1)
                result[rule.key] = _divide(weighted, total)
            else:
                result[rule.key] = (
                    values.groupby(work["_group"], sort=False).mean().astype("Float64")
                )
        elif rule.kind == RuleKind.RATIO:
            result[rule.key] = _divide(sums[rule.numerator], sums[rule.denominator])
        elif rule.kind == RuleKind.EVOLUTION:
            result[rule.key] = _divide(sums[rule.key_n] - sums[rule.key_n1], sums[rule.key_n1])
    return result


def procedure_figures(*, rules: list[Rule], frame: pd.DataFrame) -> list[Procedure]:
    procedures = []
    for rule in rules:
        if rule.kind != RuleKind.EVOLUTION:
            continue
        n, n1 = (
            _numeric(frame, rule.key_n).sum(min_count=1),
            _numeric(frame, rule.key_n1).sum(min_count=1),
        )
        n = None if pd.isna(n) else float(n)
        n1 = None if pd.isna(n1) else float(n1)
        evolution = (n - n1) / n1 if n is not None and n1 else None
        procedures.append(Procedure(rule.key, rule.label, n, n1, evolution))
    return procedures


def territory_totals(
    *, territories: Sequence[Place], frame: pd.DataFrame, rules: list[Rule]
) -> pd.DataFrame:
    totals = aggregate(frame, by=CODE, rules=rules)
    base = pd.DataFrame(
        {
            CODE: [t.code for t in territories],
            DEPARTEMENT: [t.name for t in territories],
            REGION: [t.region for t in territories],
        },
        dtype=object,
    )
    merged = base.merge(totals, left_on=CODE, right_index=True, how="left")
    merged[REPONSES] = merged[REPONSES].fillna(0).astype("Int64")
    return merged.reset_index(drop=True)


def region_totals(
    *,
    territories: Sequence[Place],
    frame: pd.DataFrame,
    rules: list[Rule],
    sort_key: Callable[[str], Any],
) -> pd.DataFrame:
    """One row per region of ``territories`` (ordered by ``sort_key`` of their names), with
    how many territories it counts and the declared figures."""
    totals = aggregate(frame, by=REGION, rules=rules)
    regions: dict[str, int] = {}
    for territory in territories:
        regions[territory.region] = regions.get(territory.region, 0) + 1
    names = sorted(regions, key=sort_key)
    base = pd.DataFrame({REGION: pd.Series(names, dtype=object)})
    base["nb_territoires"] = [regions[r] for r in names]
    base["nb_territoires"] = base["nb_territoires"].astype("Int64")
    merged = base.merge(totals, left_on=REGION, right_index=True, how="left")
    merged[REPONSES] = merged[REPONSES].fillna(0).astype("Int64")
    return merged.reset_index(drop=True)


def national_totals(
    *, label: str, territories: Sequence[Place], frame: pd.DataFrame, rules: list[Rule]
) -> pd.DataFrame:
    totals = aggregate(frame, by=None, rules=rules).reset_index(drop=True)
    if totals.empty:
        totals = pd.DataFrame({REPONSES: [0]})
    totals.insert(0, "nb_territoires", pd.array([len(territories)], dtype="Int64"))
    totals.insert(0, "perimetre", [label])
    totals[REPONSES] = totals[REPONSES].fillna(0).astype("Int64")
    for rule in rules:
        if rule.key not in totals.columns:
            totals[rule.key] = pd.array([pd.NA], dtype="Float64")
    return totals


def comparison_of(
    *, campaigns: list[CampaignRef], totals: dict[int, pd.DataFrame], measures: list[Measure]
) -> Comparison:
    """The comparison table from each campaign's one-row totals (``aggregate`` with no
    grouping), oldest campaign first; the last one is the viewed one."""
    shown = [m for m in measures if m.rule != RuleKind.EVOLUTION]
    columns = {}
    for other in campaigns:
        national = totals[other.pk]
        row = national.iloc[0] if len(national) else pd.Series(dtype="Float64")
        columns[f"c{other.pk}"] = [row.get(m.key, pd.NA) if len(national) else pd.NA for m in shown]
    frame = pd.DataFrame(columns, index=[m.key for m in shown]).astype("Float64")
    previous, current = campaigns[-2], campaigns[-1]
    before, after = frame[f"c{previous.pk}"], frame[f"c{current.pk}"]
    relative, points = _divide(after - before, before), (after - before).astype("Float64")
    is_rate = pd.Series([m.kind == RATE for m in shown], index=frame.index)
    frame["evolution"] = points.where(is_rate, relative)
    return Comparison(
        campaigns=campaigns, frame=frame, measures=shown, previous=previous, current=current
    )


def counts_frame(
    *,
    territories: Sequence[Place],
    counts: Mapping[str, Mapping[str, int]],
    counted: Sequence[Column],
) -> pd.DataFrame:
    """One row per territory with its ``counted`` figures (``counts`` by territory code;
    none is 0), as whole numbers after the place columns."""
    columns = [*PLACE_COLUMNS, *counted]
    records = [
        {
            CODE: territory.code,
            DEPARTEMENT: territory.name,
            REGION: territory.region,
            **{c.key: counts.get(territory.code, {}).get(c.key, 0) for c in counted},
        }
        for territory in territories
    ]
    frame = pd.DataFrame.from_records(records, columns=[c.key for c in columns])
    for column in counted:
        frame[column.key] = frame[column.key].astype("Int64")
    return frame


def is_missing(value: Any) -> bool:
    """True for the empty cells of every dtype (None, NaN, pd.NA)."""
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
