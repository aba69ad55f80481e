"""The campaign tracker: where each expected answer of a campaign stands, as counts, as rows
by territory and as a map of the territories coloured by their status.

Reads only, through ``selectors.campaign_answers`` (hence the permissions module): a
prefecture sees its own territory's respondents, DIHAL every territory's.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Max, TextChoices
from django.utils import timezone

from forms_app import selectors
from forms_app.models import Campaign, CampaignReminder, SubmissionStatus
from forms_app.selectors import ExpectedAnswer
from forms_app.territory_map import territory_map
from portal.models import User


class Progress(TextChoices):
    """Where an answer (or a territory's answers) stands, for the counts and the map."""

    ACCEPTED = "acceptee", "Acceptée"
    SUBMITTED = "transmise", "Transmise (à valider)"
    IN_PROGRESS = "en_cours", "En cours"
    NOT_STARTED = "a_commencer", "À commencer"
    LATE = "en_retard", "En retard"


def answer_progress(answer: ExpectedAnswer) -> Progress:
    """One expected answer's progress: lateness wins over a draft or an answer not begun."""
    status = answer.submission.status if answer.submission else None
    if status == SubmissionStatus.ACCEPTED:
        return Progress.ACCEPTED
    if status == SubmissionStatus.SUBMITTED:
        return Progress.SUBMITTED
    if answer.is_late:
        return Progress.LATE
    return Progress.IN_PROGRESS if answer.submission else Progress.NOT_STARTED


def territory_progress(progresses: list[Progress]) -> Progress:
    """A territory's progress from its respondents': late if any is late, accepted or
    transmitted when all are, not begun when none has begun, in progress otherwise."""
    kinds = set(progresses)
    if Progress.LATE in kinds:
        return Progress.LATE
    for uniform in (Progress.ACCEPTED, Progress.NOT_STARTED):
        if kinds == {uniform}:
            return uniform
    if kinds <= {Progress.ACCEPTED, Progress.SUBMITTED}:
        return Progress.SUBMITTED
    return Progress.IN_PROGRESS


@dataclass(frozen=True)
class TrackerRow:
    """One expected respondent in the tracker's table."""

    answer: ExpectedAnswer
    progress: Progress
    last_reminded_on: datetime.date | None

    @property
    def days_late(self) -> int:
        """Days past the due date of an answer still to transmit (0 when not late)."""
        return max(-self.answer.days_left, 0) if not self.answer.is_done else 0

    @property
    def submitted_days_late(self) -> int:
        """Days past the due date at which the answer was transmitted (0 when on time)."""
        submitted_at = self.answer.submission.submitted_at if self.answer.submission else None
        if submitted_at is None or not self.answer.is_done:
            return 0
        return max((timezone.localdate(submitted_at) - self.answer.campaign.due_on).days, 0)


@dataclass(frozen=True)
class TrackerCounts:
    expected: int
    transmitted: int  # transmitted and accepted
    accepted: int
    awaiting: int  # transmitted, not yet accepted
    in_progress: int  # draft or returned
    not_started: int
    late: int


@dataclass(frozen=True)
class TerritoryMap:
    """The map of the followed territories coloured by their progress, with its legend's
    counts and its text alternative: a function of ``territories`` alone."""

    territories: dict[str, Progress]  # territory code → its progress
    map: dict

    @property
    def territory_counts(self) -> list[tuple[Progress, int]]:
        """How many territories stand at each progress, in the legend's order."""
        counted = Counter(self.territories.values())
        return [(progress, counted[progress]) for progress in Progress]

    @property
    def map_summary(self) -> str:
        """The map's text alternative: how many territories stand at each progress."""
        counts = ", ".join(
            f"{progress.label.lower()} : {count}" for progress, count in self.territory_counts
        )
        total = len(self.territories)
        return (
            f"Carte de l'état des réponses dans {total} territoire{'s' if total > 1 else ''} "
            f"— {counts}. Détail dans le tableau « Réponses par territoire »."
        )


@dataclass(frozen=True)
class Tracker(TerritoryMap):
    """A campaign's tracker: its map, and the rows and counts of the expected answers."""

    campaign: Campaign
    rows: list[TrackerRow]
    counts: TrackerCounts

    @property
    def late_rows(self) -> list[TrackerRow]:
        return [row for row in self.rows if row.progress == Progress.LATE]

    @property
    def reminded_today(self) -> int:
        today = selectors.today()
        return sum(1 for row in self.late_rows if row.last_reminded_on == today)


def campaign_tracker(*, campaign: Campaign, user: User) -> Tracker:
    """The tracker of one campaign for the person, in a fixed number of queries whatever the
    number of respondents."""
    answers = selectors.campaign_answers(campaign=campaign, user=user)
    reminded = last_reminders(
        campaign=campaign, organisation_ids=[a.organisation.pk for a in answers]
    )
    rows = [
        TrackerRow(
            answer=answer,
            progress=answer_progress(answer),
            last_reminded_on=reminded.get(answer.organisation.pk),
        )
        for answer in answers
    ]
    by_territory: dict[str, list[Progress]] = {}
    for row in rows:
        by_territory.setdefault(row.answer.organisation.territory.code, []).append(row.progress)
    territories = {code: territory_progress(found) for code, found in by_territory.items()}
    return Tracker(
        campaign=campaign,
        rows=rows,
        counts=tracker_counts(rows=rows),
        territories=territories,
        map=_coloured_map(territories),
    )


def last_reminders(*, campaign: Campaign, organisation_ids: list[int]) -> dict[int, datetime.date]:
    """The day each organisation was last reminded of the campaign (one query)."""
    if not organisation_ids:
        return {}
    return dict(
        CampaignReminder.objects.filter(campaign=campaign, organisation_id__in=organisation_ids)
        .values("organisation_id")
        .annotate(last=Max("sent_on"))
        .values_list("organisation_id", "last")
    )


def tracker_counts(*, rows: list[TrackerRow]) -> TrackerCounts:
    """The counts of the status chart and the tracker's summary, over any set of rows."""
    counted = Counter(row.progress for row in rows)
    in_progress = sum(
        1 for row in rows if row.answer.submission is not None and row.answer.submission.is_editable
    )
    return TrackerCounts(
        expected=len(rows),
        transmitted=counted[Progress.ACCEPTED] + counted[Progress.SUBMITTED],
        accepted=counted[Progress.ACCEPTED],
        awaiting=counted[Progress.SUBMITTED],
        in_progress=in_progress,
        not_started=sum(1 for row in rows if row.answer.submission is None),
        late=counted[Progress.LATE],
    )


def _coloured_map(territories: dict[str, Progress]) -> dict:
    """The départements map (forms_app.territory_map) with each followed territory's progress."""
    base = territory_map()
    departements = [
        {**departement, "progress": territories.get(departement["code"])}
        for departement in base["departements"]
    ]
    return {**base, "departements": departements}
