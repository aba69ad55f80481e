"""The demo answers' content, read from ``answers.yaml`` into typed, read-only sections.

Each dataclass mirrors one mapping of the YAML file, field for field: a missing or unknown
key fails loudly when the file is read instead of when an answer happens to need it.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import yaml

CONTENT_FILE = Path(__file__).with_name("answers.yaml")

# [low, high], both included.
Range = list[float]
IntRange = list[int]
DateRange = list[datetime.date]


@dataclass(frozen=True)
class Campaigns:
    lettre: str
    bilans: dict[int, str]


@dataclass(frozen=True)
class Calendar:
    holidays: list[datetime.date]
    office_hours: IntRange
    office_minutes: list[int]
    days_started_before_first_save: IntRange


@dataclass(frozen=True)
class Review:
    days_to_review: IntRange
    days_to_transmit_again: IntRange
    days_to_accept_again: IntRange
    accept_comments: list[str]
    return_comments: dict[str, list[str]]


@dataclass(frozen=True)
class OutcomeShare:
    count: int
    kind: str
    late: bool = False


@dataclass(frozen=True)
class Outcomes:
    lettre: list[OutcomeShare]
    bilans: dict[int, list[OutcomeShare]]
    forced: dict[int, dict[str, str]]


@dataclass(frozen=True)
class OperatorTemplate:
    name: str
    kind: str


@dataclass(frozen=True)
class StageChoice:
    stages: list[str]
    weight: int


@dataclass(frozen=True)
class Teams:
    operators: list[OperatorTemplate]
    operator_count_weights: dict[int, int]
    known_operators_max: int
    known_operator_kind: str
    stage_choices: list[StageChoice]
    started_between: DateRange


@dataclass(frozen=True)
class FirstYear:
    households_met: IntRange
    intervention_days: IntRange
    etp_vacant: list[float]
    credits_share_pct: IntRange
    assignations_previous_spread_pct: int


@dataclass(frozen=True)
class SecondYear:
    households_growth: Range
    households_max: int
    intervention_days: IntRange
    etp_recruited: list[float]
    credits_share_gain_pct: IntRange
    credits_share_max_pct: int
    assignations_growth: Range
    assignations_max: int
    assignations_previous_spread_pct: int


@dataclass(frozen=True)
class Figures:
    assignations_by_etp: dict[int, IntRange]
    assignations_otherwise: IntRange
    first_year: FirstYear
    second_year: SecondYear


@dataclass(frozen=True)
class Q1Situation:
    existing: str
    mode: str
    description: str


@dataclass(frozen=True)
class Q3Scale:
    scale_weights: dict[str, int]
    population_half_pct: IntRange
    assignations_extra_pct: IntRange
    assignations_max_pct: int
    justifications: dict[str, list[str]]


@dataclass(frozen=True)
class Q4Partners:
    partners_always: list[str]
    partners_sometimes: list[str]
    partner_chance: float
    partner_names: dict[str, str]
    months: list[str]
    state: str
    next_steps: list[str]


@dataclass(frozen=True)
class Q5Stages:
    upstream_stages: list[str]
    downstream_stages: list[str]
    justifications: dict[str, str]


@dataclass(frozen=True)
class Q6Team:
    etp_vacant: list[float]
    visit_time_pct: list[int]
    profile_count: IntRange
    profiles: list[str]
    justifications: dict[str, str]


@dataclass(frozen=True)
class Lettre:
    signatory_titles: list[str]
    signed_between: DateRange
    days_to_transmit: IntRange
    transmitted_by: datetime.date
    late_signed_between: DateRange
    late_transmitted_between: DateRange
    draft_saved_between: DateRange
    draft_share: Range
    letter_file_name: str
    letter_text: str
    q1_situations: list[Q1Situation]
    q2_justifications: dict[int, list[str]]
    q3: Q3Scale
    q4: Q4Partners
    q5: Q5Stages
    q6: Q6Team


@dataclass(frozen=True)
class Activity:
    diagnosed: Range
    dsf_of_diagnosed: Range
    accompanied: Range
    landlords_contacted: Range
    repayment_plans: Range
    arrears_cleared: Range
    rehousings: Range
    shelter_referrals: Range


@dataclass(frozen=True)
class Satisfaction:
    no_survey_chance: float
    households_mean: Range
    households_respondents: Range
    landlords_mean: Range
    landlords_respondents: Range


@dataclass(frozen=True)
class Procedures:
    decisions: Range
    orders_to_leave: Range
    police_requests: Range
    police_granted: Range
    evictions_by_year: dict[int, Range]
    evictions_otherwise: Range
    evictions_previous_year: Range


@dataclass(frozen=True)
class Bilan:
    draft_share: Range
    draft_saved_by_days_before_due: int
    days_before_due: IntRange
    late_days_after_due: IntRange
    drihl_codes: list[str]
    drihl_service: str
    ddets_service: str
    stage_parts: dict[str, list[str]]
    activity: Activity
    own_stage_weight: Range
    other_stage_weight: float
    satisfaction: Satisfaction
    procedures: Procedures
    difficulty_comments: list[str]


@dataclass(frozen=True)
class DemoContent:
    """Everything ``answers.yaml`` holds, one field per top-level section."""

    campaigns: Campaigns
    calendar: Calendar
    review: Review
    outcomes: Outcomes
    teams: Teams
    figures: Figures
    lettre: Lettre
    bilan: Bilan


@functools.cache
def demo_content() -> DemoContent:
    """The content of ``answers.yaml``, read once per process."""
    return demo_content_read(path=CONTENT_FILE)


def demo_content_read(*, path: Path) -> DemoContent:
    """Reads a demo content file; raises ``TypeError`` on a missing or unknown key."""
    return typed_yaml_read(path=path, hint=DemoContent)


def typed_yaml_read(*, path: Path, hint: type) -> Any:
    """Reads a YAML file into the dataclass ``hint``; raises ``TypeError`` on a missing or
    unknown key."""
    with path.open(encoding="utf-8") as handle:
        return _typed_value(hint, yaml.safe_load(handle))


def _typed_value(hint: Any, value: Any) -> Any:
    """``value`` with its mappings turned into the dataclasses ``hint`` names, at any depth."""
    if dataclasses.is_dataclass(hint):
        hints = get_type_hints(hint)
        return hint(**{key: _typed_value(hints.get(key, Any), item) for key, item in value.items()})
    if get_origin(hint) is list:
        return [_typed_value(get_args(hint)[0], item) for item in value]
    if get_origin(hint) is dict:
        return {key: _typed_value(get_args(hint)[1], item) for key, item in value.items()}
    return value
