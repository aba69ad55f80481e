"""What the lettre and the bilans share: answer plans, outcomes, dates and status changes.

A plan is drawn entirely before anything is written, so the random draws happen in the same
order whatever already exists in the database.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from demo.answer_content import IntRange, OutcomeShare, Range, demo_content
from forms_app.models import Campaign
from portal.models import Organisation

PARIS = ZoneInfo("Europe/Paris")
SUBMIT, RETURN, ACCEPT = "submit", "return", "accept"


@dataclass(frozen=True)
class Outcome:
    """Where an answer ends up: ``kind`` is draft, submitted, returned, accepted or corrected
    (returned, transmitted again, then accepted); ``late`` means transmitted after the due date."""

    kind: str
    late: bool = False


@dataclass(frozen=True)
class Step:
    """One status change to replay: transmit, return (with a comment) or accept."""

    action: str
    at: datetime.datetime
    comment: str = ""


@dataclass
class AnswerPlan:
    """Everything needed to create one answer, drawn before anything is written."""

    campaign: Campaign
    organisation: Organisation
    post: dict[str, Any]
    created_at: datetime.datetime
    steps: list[Step] = field(default_factory=list)
    draft_share: float | None = None
    draft_saved_at: datetime.datetime | None = None
    attach_letter: bool = False


# ---------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------


def draft_plan(
    *,
    rng: random.Random,
    campaign: Campaign,
    organisation: Organisation,
    post: dict[str, Any],
    saved_at: datetime.datetime,
    share: Range,
) -> AnswerPlan:
    """An answer left as a draft, last saved at ``saved_at`` with part of ``post`` typed."""
    return AnswerPlan(
        campaign=campaign,
        organisation=organisation,
        post=post,
        created_at=created_at_draw(rng=rng, campaign=campaign, first=saved_at),
        draft_share=rng.uniform(*share),
        draft_saved_at=saved_at,
    )


def transmitted_plan(
    *,
    rng: random.Random,
    campaign: Campaign,
    organisation: Organisation,
    post: dict[str, Any],
    outcome: Outcome,
    submitted: datetime.datetime,
    return_comments: list[str],
    attach_letter: bool = False,
) -> AnswerPlan:
    """An answer first transmitted at ``submitted``, then taken on to ``outcome``."""
    return AnswerPlan(
        campaign=campaign,
        organisation=organisation,
        post=post,
        created_at=created_at_draw(rng=rng, campaign=campaign, first=submitted),
        steps=steps_draw(rng=rng, outcome=outcome, submitted=submitted, comments=return_comments),
        attach_letter=attach_letter,
    )


# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------


def working_day(day: datetime.date) -> datetime.date:
    """``day``, or the next day that is neither a weekend nor a holiday."""
    holidays = demo_content().calendar.holidays
    while day.weekday() >= 5 or day in holidays:
        day += datetime.timedelta(days=1)
    return day


def office_moment(*, rng: random.Random, day: datetime.date) -> datetime.datetime:
    """A moment of office hours on ``day`` (moved to the next working day), Paris time."""
    calendar = demo_content().calendar
    moment = datetime.time(rng.randint(*calendar.office_hours), rng.choice(calendar.office_minutes))
    return datetime.datetime.combine(working_day(day), moment, tzinfo=PARIS)


def day_between(*, rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    """A day from ``first`` to ``last``, both included."""
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def moment_after(
    *, rng: random.Random, moment: datetime.datetime, days: IntRange
) -> datetime.datetime:
    """A moment of office hours a number of days in ``days`` after ``moment``."""
    later = moment.date() + datetime.timedelta(days=rng.randint(*days))
    return office_moment(rng=rng, day=later)


def created_at_draw(
    *, rng: random.Random, campaign: Campaign, first: datetime.datetime
) -> datetime.datetime:
    """When the answer was started: a few days before its first save, after the opening."""
    before = demo_content().calendar.days_started_before_first_save
    day = max(campaign.opens_on, first.date() - datetime.timedelta(days=rng.randint(*before)))
    return min(first, office_moment(rng=rng, day=day))


# ---------------------------------------------------------------------------------------
# Outcomes and status changes
# ---------------------------------------------------------------------------------------


def outcome_mix(shares: list[OutcomeShare]) -> list[Outcome]:
    """The outcomes of a campaign's answers, each repeated as many times as it counts."""
    return [Outcome(share.kind, share.late) for share in shares for _ in range(share.count)]


def outcomes_draw(
    *, rng: random.Random, mix: list[Outcome], codes: list[str], forced: dict[str, Outcome]
) -> dict[str, Outcome]:
    """Shuffles the mix over the territories, then swaps so the forced ones get theirs."""
    outcomes = (mix * (len(codes) // max(len(mix), 1) + 1))[: len(codes)]
    rng.shuffle(outcomes)
    by_code = dict(zip(codes, outcomes, strict=True))
    for code, wanted in forced.items():
        other = next((c for c, o in by_code.items() if o == wanted and c not in forced), None)
        if code in by_code and other is not None and by_code[code] != wanted:
            by_code[code], by_code[other] = by_code[other], by_code[code]
    return by_code


def steps_draw(
    *, rng: random.Random, outcome: Outcome, submitted: datetime.datetime, comments: list[str]
) -> list[Step]:
    """The status changes that lead to ``outcome``, the first transmission at ``submitted``."""
    review = demo_content().review
    steps = [Step(SUBMIT, submitted)]
    if outcome.kind == "submitted":
        return steps
    reviewed = moment_after(rng=rng, moment=submitted, days=review.days_to_review)
    if outcome.kind == "accepted":
        return [*steps, Step(ACCEPT, reviewed, rng.choice(review.accept_comments))]
    steps.append(Step(RETURN, reviewed, rng.choice(comments)))
    if outcome.kind == "corrected":
        again = moment_after(rng=rng, moment=reviewed, days=review.days_to_transmit_again)
        accepted = moment_after(rng=rng, moment=again, days=review.days_to_accept_again)
        steps += [Step(SUBMIT, again), Step(ACCEPT, accepted)]
    return steps


# ---------------------------------------------------------------------------------------
# Answers as typed in the fill page
# ---------------------------------------------------------------------------------------


def fr_number(value: Decimal | float) -> str:
    """A number as a French person types it: « 2,5 », « 3 », « 45210,37 »."""
    text = f"{Decimal(str(value)):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def group_post(*, key: str, rows: list[dict[str, str]]) -> dict[str, str]:
    """A repeatable group as the formset fields of the fill page."""
    post = {f"{key}-TOTAL_FORMS": str(len(rows)), f"{key}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        post.update({f"{key}-{index}-{sub}": value for sub, value in row.items()})
    return post


def decimal_choice(*, rng: random.Random, values: list[float]) -> Decimal:
    """One of ``values`` as an exact decimal (« 0.5 », not its binary approximation)."""
    return rng.choice([Decimal(str(value)) for value in values])
