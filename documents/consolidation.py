"""Consolidated tables of a campaign, built with pandas.

Every filed answer (transmitted or accepted) in the reader's scope becomes one row of one
table, with one column per key across all the form versions the answers used: a key a
version lacks is empty there, never an error. Repeatable groups become long tables of their
own (one row per group line). The figures are then totalled by territory, region and nation
following the form's declared rules (``documents.consolidation_rules``): sums, averages
(weighted or not), ratios computed from the totals (never averaged ratios) and year-on-year
changes N / N-1. The other campaigns of the same form are set side by side.

Files (``documents.consolidation_files``), pages and the Word report all read a
:class:`Consolidation`; none of them queries answers on its own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import QuerySet

from documents.consolidation_rules import Rule, RuleKind, rules_for_form
from forms_app.form_builder import input_items
from forms_app.models import Campaign, FormVersion, Submission, SubmissionStatus
from portal import permissions
from portal.models import Territory
from portal.selectors import collation_key

FILED_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)

# How a column reads and is formatted in pages and files.
TEXT, INTEGER, DECIMAL, EUROS, PERCENT_VALUE, RATE, POINTS, DATE = (
    "texte",
    "entier",
    "decimal",
    "euros",
    "pourcent",  # a percentage typed 0–100
    "taux",  # a fraction shown as a percentage (ratios, relative changes)
    "points",  # a difference of two rates, as a fraction: 0.008 is +0,8 point
    "date",
)
NUMERIC_KINDS = frozenset({INTEGER, DECIMAL, EUROS, PERCENT_VALUE, RATE, POINTS})
KIND_BY_FIELD_TYPE = {
    "integer": INTEGER,
    "decimal": DECIMAL,
    "money": EUROS,
    "percent": PERCENT_VALUE,
    "date": DATE,
}
SKIPPED_FIELD_TYPES = frozenset({"file"})  # files are documents, not figures

# Meta columns of the answers table (domain words, as the files show them).
CODE, DEPARTEMENT, REGION = "code", "departement", "region"
ORGANISATION, STATUT, TRANSMISE_LE, VERSION = "organisation", "statut", "transmise_le", "version"
REPONSES = "nb_reponses"
LIGNE = "ligne"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


# Where a row belongs: the first columns of every table by territory or by answer.
PLACE_COLUMNS = (
    Column(CODE, "N° de département"),
    Column(DEPARTEMENT, "Département"),
    Column(REGION, "Région"),
)
META_COLUMNS = (
    *PLACE_COLUMNS,
    Column(ORGANISATION, "Organisation"),
    Column(STATUT, "Statut"),
    Column(TRANSMISE_LE, "Transmise le", DATE),
    Column(VERSION, "Version du formulaire", INTEGER),
)
TERRITORY_COLUMNS = (
    *PLACE_COLUMNS,
    Column(REPONSES, "Réponses", INTEGER),
)
REGION_COLUMNS = (
    Column(REGION, "Région"),
    Column("nb_territoires", "Territoires", INTEGER),
    Column(REPONSES, "Réponses", INTEGER),
)
NATIONAL_COLUMNS = (
    Column("perimetre", "Périmètre"),
    Column("nb_territoires", "Territoires", INTEGER),
    Column(REPONSES, "Réponses", INTEGER),
)


@dataclass(frozen=True)
class Measure:
    """A consolidated figure: a column of the territory, region and national tables."""

    key: str
    label: str
    rule: str  # RuleKind value
    kind: str


@dataclass
class GroupTable:
    """A repeatable group's lines, one row per line, with who answered."""

    key: str
    label: str
    columns: list[Column]
    frame: pd.DataFrame


@dataclass(frozen=True)
class Procedure:
    """One N / N-1 figure of the declared year-on-year rules, over the whole scope."""

    key: str
    label: str
    n: float | None
    n1: float | None
    evolution: float | None  # a fraction: 0.125 is +12,5 %


@dataclass
class Comparison:
    """The scope's figures in each opened campaign of the form up to the viewed one, oldest
    first, and the change from the previous campaign to the viewed one (``current``)."""

    campaigns: list[Campaign]
    frame: pd.DataFrame  # index: measure key; columns: "c<pk>" per campaign, then "evolution"
    measures: list[Measure]
    previous: Campaign
    current: Campaign

    def column(self, campaign: Campaign) -> str:
        return f"c{campaign.pk}"

    @staticmethod
    def evolution_kind(measure: Measure) -> str:
        """A rate changes in points (40 % → 42 % is +2 points), anything else relatively."""
        return POINTS if measure.kind == RATE else RATE


@dataclass
class Consolidation:
    campaign: Campaign
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


# ---------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------


def consolidation_territories(
    *, user, region: str | None = None, territory_code: str | None = None
) -> QuerySet[Territory]:
    """The territories a person's tables cover: those they follow, narrowed by a region or a
    département when asked (a filter outside their scope gives nothing, never more)."""
    territories = permissions.territories_followed_by(user).order_by("code")
    if region:
        territories = territories.filter(region=region)
    if territory_code:
        territories = territories.filter(code=territory_code)
    return territories


def _scope_label(*, territories: list[Territory], is_national: bool, region: str | None) -> str:
    if is_national:
        return f"France entière ({len(territories)} territoires)"
    if len(territories) == 1:
        territory = territories[0]
        return f"{territory.name} ({territory.code})"
    count = f"{len(territories)} territoire{'s' if len(territories) > 1 else ''}"
    if region:
        return f"Région {region} ({count})"
    return count


# ---------------------------------------------------------------------------------------
# Columns across versions
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    key: str
    label: str
    type: str
    block: dict
    sub_fields: tuple[_Field, ...] = ()


def _fields(schema: list[dict]) -> list[_Field]:
    fields = []
    for item in input_items(schema):
        kind, value = item["type"], item["value"]
        if kind in SKIPPED_FIELD_TYPES:
            continue
        subs = ()
        if kind == "group":
            subs = tuple(
                _Field(sub["value"]["key"], sub["value"]["label"], sub["type"], sub["value"])
                for sub in value.get("fields", [])
                if sub["type"] not in SKIPPED_FIELD_TYPES
            )
        fields.append(_Field(value["key"], value.get("label") or value["key"], kind, value, subs))
    return fields


def fields_across_versions(versions: list[FormVersion]) -> list[_Field]:
    """The union of the versions' fields by key: the newest version's order and labels,
    then the keys only older versions had (``versions`` newest first)."""
    merged: dict[str, _Field] = {}
    for version in versions:
        for item in _fields(version.schema):
            if item.key not in merged:
                merged[item.key] = item
            elif item.type == "group":
                known = {sub.key for sub in merged[item.key].sub_fields}
                extra = tuple(sub for sub in item.sub_fields if sub.key not in known)
                if extra:
                    current = merged[item.key]
                    merged[item.key] = _Field(
                        current.key,
                        current.label,
                        current.type,
                        current.block,
                        current.sub_fields + extra,
                    )
    return list(merged.values())


def field_column(item: _Field) -> Column:
    return Column(item.key, item.label, KIND_BY_FIELD_TYPE.get(item.type, TEXT))


def _choice_text(value: Any, labels: dict[str, str]) -> str | None:
    """A stored choice or list of choices as its labels, whatever the version stored (a key
    may have changed from one choice to several, or back)."""
    if value in (None, "", []):
        return None
    items = value if isinstance(value, list) else [value]
    return ", ".join(labels.get(str(item), str(item)) for item in items)


def _reader(item: _Field):
    """How a stored JSON value becomes a cell: labels for choices, dates as dates, numbers
    left for pandas to convert column by column. Values stored by another version under the
    same key (another type) come out as text, never as an error."""
    if item.type in {"choice", "multi_choice"}:
        labels = {str(c["value"]): c["label"] for c in item.block.get("choices") or []}
        return lambda value: _choice_text(value, labels)
    if item.type == "yes_no":
        return lambda value: (
            {True: "Oui", False: "Non"}.get(value) if isinstance(value, bool) else _text(value)
        )
    if item.type == "date":
        return _date_or_none
    if item.type in KIND_BY_FIELD_TYPE:
        return lambda value: None if value in (None, "") else value
    return _text


def _text(value: Any) -> str | None:
    if value in (None, "", []):
        return None
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _date_or_none(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


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


def _typed_frame(records: list[dict], columns: list[Column]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=[c.key for c in columns])
    for column in columns:
        if column.is_numeric:
            frame[column.key] = as_numbers(frame[column.key])
    return frame


# ---------------------------------------------------------------------------------------
# The answers table
# ---------------------------------------------------------------------------------------


def _filed_answers(*, campaign: Campaign, user, territory_ids: list[int]) -> QuerySet[Submission]:
    return (
        permissions.submissions_visible_to(user)
        .filter(campaign=campaign, status__in=FILED_STATUSES, territory_id__in=territory_ids)
        .order_by("territory__code", "organisation__name", "pk")
    )


@dataclass
class _Answers:
    columns: list[Column]
    frame: pd.DataFrame
    groups: list[GroupTable]


def answers_table(*, campaign: Campaign, answers: QuerySet[Submission]) -> _Answers:
    """One row per answer, one column per key across versions; groups as long tables."""
    rows = list(
        answers.values_list(
            "territory__code",
            "territory__name",
            "territory__region",
            "organisation__name",
            "status",
            "submitted_at",
            "form_version_id",
            "data",
        )
    )
    version_ids = {row[6] for row in rows}
    versions = list(FormVersion.objects.filter(form_id=campaign.form_id).order_by("-number"))
    latest = versions[:1]
    used = [v for v in versions if v.pk in version_ids or v in latest]
    numbers = {v.pk: v.number for v in versions}
    fields = fields_across_versions(used)
    simple = [f for f in fields if f.type != "group"]
    group_fields = [f for f in fields if f.type == "group"]
    columns = [field_column(f) for f in simple]
    readers = [(f.key, _reader(f)) for f in simple]
    statuses = dict(SubmissionStatus.choices)
    records, group_records = [], {g.key: [] for g in group_fields}
    group_readers = {g.key: [(s.key, _reader(s)) for s in g.sub_fields] for g in group_fields}
    for code, name, region, organisation, status, submitted_at, version_id, data in rows:
        meta = {
            CODE: code,
            DEPARTEMENT: name,
            REGION: region,
            ORGANISATION: organisation,
        }
        record = {
            **meta,
            STATUT: statuses.get(status, status),
            TRANSMISE_LE: submitted_at.date() if submitted_at else None,
            VERSION: numbers.get(version_id),
        }
        data = data or {}
        for key, read in readers:
            record[key] = read(data.get(key))
        records.append(record)
        for group in group_fields:
            lines = data.get(group.key) or []
            for number, line in enumerate(lines, start=1):
                if not isinstance(line, dict):
                    continue
                entry = {**meta, LIGNE: number}
                for key, read in group_readers[group.key]:
                    entry[key] = read(line.get(key))
                group_records[group.key].append(entry)
    frame = _typed_frame(records, list(META_COLUMNS) + columns)
    groups = []
    for group in group_fields:
        group_columns = [
            *PLACE_COLUMNS,
            Column(ORGANISATION, "Organisation"),
            Column(LIGNE, "Ligne", INTEGER),
        ] + [field_column(sub) for sub in group.sub_fields]
        groups.append(
            GroupTable(
                group.key,
                group.label,
                group_columns,
                _typed_frame(group_records[group.key], group_columns),
            )
        )
    return _Answers(columns, frame, groups)


# ---------------------------------------------------------------------------------------
# Totals
# ---------------------------------------------------------------------------------------


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
    *, territories: list[Territory], frame: pd.DataFrame, rules: list[Rule]
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
    *, territories: list[Territory], frame: pd.DataFrame, rules: list[Rule]
) -> pd.DataFrame:
    totals = aggregate(frame, by=REGION, rules=rules)
    regions: dict[str, int] = {}
    for territory in territories:
        regions[territory.region] = regions.get(territory.region, 0) + 1
    names = sorted(regions, key=collation_key)
    base = pd.DataFrame({REGION: pd.Series(names, dtype=object)})
    base["nb_territoires"] = [regions[r] for r in names]
    base["nb_territoires"] = base["nb_territoires"].astype("Int64")
    merged = base.merge(totals, left_on=REGION, right_index=True, how="left")
    merged[REPONSES] = merged[REPONSES].fillna(0).astype("Int64")
    return merged.reset_index(drop=True)


def national_totals(
    *, label: str, territories: list[Territory], frame: pd.DataFrame, rules: list[Rule]
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


# ---------------------------------------------------------------------------------------
# Comparison between the campaigns of one form
# ---------------------------------------------------------------------------------------


def _comparison(
    *,
    campaign: Campaign,
    user,
    territory_ids: list[int],
    rules: list[Rule],
    measures: list[Measure],
    current: pd.DataFrame,
) -> Comparison | None:
    def order(c: Campaign):
        return (c.period_start or c.opens_on, c.due_on, c.pk)

    today = datetime.date.today()
    campaigns = sorted(
        (
            c
            for c in Campaign.objects.filter(form_id=campaign.form_id)
            if c.pk == campaign.pk or (c.opens_on <= today and order(c) < order(campaign))
        ),
        key=order,
    )
    if len(campaigns) < 2:
        return None
    totals = {}
    for other in campaigns:
        if other.pk == campaign.pk:
            totals[other.pk] = current
        else:
            answers = _filed_answers(campaign=other, user=user, territory_ids=territory_ids)
            frame = answers_table(campaign=other, answers=answers).frame
            totals[other.pk] = aggregate(frame, by=None, rules=rules)
    return comparison_of(campaigns=campaigns, totals=totals, measures=measures)


def comparison_of(
    *, campaigns: list[Campaign], totals: dict[int, pd.DataFrame], measures: list[Measure]
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


# ---------------------------------------------------------------------------------------
# Figures from the households' files (counts only)
# ---------------------------------------------------------------------------------------


def _field_counts(
    *, campaign: Campaign, user, territories: list[Territory]
) -> tuple[pd.DataFrame | None, list[Column]]:
    """What the operators' filed household documents give for the campaign's period, per
    territory: counts only, never a name or a personal field."""
    from forms_app.households.indicators import FIELD_INDICATORS, field_indicators_by_territory

    if not (campaign.period_start and campaign.period_end):
        return None, []
    households = permissions.households_counted_for(user).filter(
        territory_id__in=[t.pk for t in territories]
    )
    purged = permissions.purged_counts_for(user).filter(
        territory_id__in=[t.pk for t in territories]
    )
    figures = field_indicators_by_territory(
        households=households,
        purged=purged,
        start=campaign.period_start,
        end=campaign.period_end,
    )
    counted = [Column("nb_menages_orientes", "Ménages orientés sur la période", INTEGER)] + [
        Column(i.key, i.label, INTEGER) for i in FIELD_INDICATORS
    ]
    columns = [*PLACE_COLUMNS, *counted]
    records = []
    for territory in territories:
        counts = figures.get(territory.code, {})
        records.append(
            {
                CODE: territory.code,
                DEPARTEMENT: territory.name,
                REGION: territory.region,
                **{c.key: counts.get(c.key, 0) for c in counted},
            }
        )
    frame = pd.DataFrame.from_records(records, columns=[c.key for c in columns])
    for column in counted:
        frame[column.key] = frame[column.key].astype("Int64")
    return frame, columns


# ---------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------


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
        consolidation_territories(user=user, region=region, territory_code=territory_code)
    )
    is_national = not region and not territory_code and permissions.is_dihal_member(user)
    territory_ids = [t.pk for t in territories]
    answers = answers_table(
        campaign=campaign,
        answers=_filed_answers(campaign=campaign, user=user, territory_ids=territory_ids),
    )
    rules = rules_for_form(form=campaign.form, columns=answers.columns)
    measures = measures_for(rules=rules, columns=answers.columns)
    label = _scope_label(territories=territories, is_national=is_national, region=region)
    national = national_totals(
        label=label, territories=territories, frame=answers.frame, rules=rules
    )
    field_counts, field_count_columns = (
        _field_counts(campaign=campaign, user=user, territories=territories)
        if with_field_counts
        else (None, [])
    )
    return Consolidation(
        campaign=campaign,
        scope_label=label,
        is_national=is_national,
        territory_codes=[t.code for t in territories],
        answer_columns=answers.columns,
        answers=answers.frame,
        groups=answers.groups,
        measures=measures,
        by_territory=territory_totals(territories=territories, frame=answers.frame, rules=rules),
        by_region=region_totals(territories=territories, frame=answers.frame, rules=rules),
        national=national,
        procedures=procedure_figures(rules=rules, frame=answers.frame),
        comparison=(
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
        ),
        field_counts=field_counts,
        field_count_columns=field_count_columns,
    )


def is_missing(value: Any) -> bool:
    """True for the empty cells of every dtype (None, NaN, pd.NA)."""
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
