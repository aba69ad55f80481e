"""Each territory's demo team: operators, stages covered, start date and base figures.

A team stays the same across the territory's lettre and its two bilans, so they tell one
story: the operators announced in the lettre are the ones the bilans report on.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from demo.answer_content import demo_content
from demo.answer_plans import day_between, decimal_choice, working_day
from forms_app.models import Campaign
from forms_app.selectors import campaign_respondents
from portal.models import Organisation, OrganisationKind, Territory

THIRD_YEAR = 2023
THIRD_YEAR_SEED = 2023


@dataclass(frozen=True)
class YearFigures:
    """A territory's base figures for one bilan (households met, staff, money, courts)."""

    met: int
    days: int
    etp_filled: Decimal
    credits_share: Decimal
    assignations: int
    assignations_previous: int


@dataclass(frozen=True)
class TeamProfile:
    """What stays the same for a territory across its lettre and its two bilans."""

    organisation: Organisation
    operators: list[tuple[str, str]]
    stages: list[str]
    started_on: datetime.date
    years: dict[int, YearFigures]

    @property
    def territory(self) -> Territory:
        return self.organisation.territory

    @property
    def place(self) -> str:
        """« de l'Isère », « du Rhône »… taken from the prefecture's name."""
        name = self.organisation.name
        prefix = "Préfecture "
        return name[len(prefix) :] if name.startswith(prefix) else f"de {self.territory.name}"


def team_profile_draw(*, rng: random.Random, organisation: Organisation) -> TeamProfile:
    """The territory's team, drawn once for all its answers."""
    teams = demo_content().teams
    territory = organisation.territory
    stages_options = [choice.stages for choice in teams.stage_choices]
    weights = [choice.weight for choice in teams.stage_choices]
    return TeamProfile(
        organisation=organisation,
        operators=_operators_draw(rng=rng, territory=territory),
        stages=list(rng.choices(stages_options, weights=weights)[0]),
        started_on=working_day(
            day_between(rng=rng, first=teams.started_between[0], last=teams.started_between[1])
        ),
        years=_year_figures_draw(rng=rng, territory=territory),
    )


def respondent_teams(*, campaign: Campaign, teams: dict[int, TeamProfile]) -> list[TeamProfile]:
    """The teams of the campaign's respondents, in the order of their territory codes."""
    organisations = campaign_respondents(campaign=campaign)
    return sorted(
        (teams[org.pk] for org in organisations if org.pk in teams),
        key=lambda team: team.territory.code,
    )


def operator_rows(team: TeamProfile) -> list[dict[str, str]]:
    """The team's operators as rows of the forms' operators group."""
    return [{"nom": name, "type": kind} for name, kind in team.operators]


def _operators_draw(*, rng: random.Random, territory: Territory) -> list[tuple[str, str]]:
    """The territory's demo operators when it has some, otherwise 1 to 3 invented ones."""
    teams = demo_content().teams
    counts = teams.operator_count_weights
    count = rng.choices(list(counts), weights=list(counts.values()))[0]
    invented = [
        (template.name.format(territory=territory.name), template.kind)
        for template in rng.sample(teams.operators, count)
    ]
    known = Organisation.objects.filter(
        kind=OrganisationKind.OPERATEUR, territory=territory
    ).order_by("name")
    existing = [(org.name, teams.known_operator_kind) for org in known[: teams.known_operators_max]]
    return existing or invented


def _year_figures_draw(*, rng: random.Random, territory: Territory) -> dict[int, YearFigures]:
    """Half-year figures for 2021, then a little higher for 2022 and 2023 (domain.md §6)."""
    figures = demo_content().figures
    first_year = figures.first_year
    etp = Decimal(territory.etp)
    low, high = figures.assignations_by_etp.get(territory.etp, figures.assignations_otherwise)
    assignations = rng.randint(low, high)
    met = rng.randint(*first_year.households_met)
    filled = etp - decimal_choice(rng=rng, values=first_year.etp_vacant)
    share = Decimal(rng.randint(*first_year.credits_share_pct)) / 100
    first = YearFigures(
        met=met,
        days=rng.randint(*first_year.intervention_days),
        etp_filled=filled,
        credits_share=share,
        assignations=assignations,
        assignations_previous=_near(
            rng=rng, value=assignations, percent=first_year.assignations_previous_spread_pct
        ),
    )
    second = _second_year_draw(rng=rng, etp=etp, first=first)
    # The third year (the scale data's « Bilan d'étape 2023 ») draws from its own generator,
    # so the demo's first two years stay what they were before it existed.
    third_rng = random.Random(f"{THIRD_YEAR_SEED}-{territory.code}")  # noqa: S311 - fake data
    third = _second_year_draw(rng=third_rng, etp=etp, first=second)
    return {2021: first, 2022: second, THIRD_YEAR: third}


def _second_year_draw(*, rng: random.Random, etp: Decimal, first: YearFigures) -> YearFigures:
    """The second half-year: more households met, more staff and money spent."""
    second = demo_content().figures.second_year
    growth = rng.uniform(*second.households_growth)
    days = rng.randint(*second.intervention_days)
    recruited = decimal_choice(rng=rng, values=second.etp_recruited)
    share_gain = Decimal(rng.randint(*second.credits_share_gain_pct)) / 100
    assignations = round(first.assignations * rng.uniform(*second.assignations_growth))
    return YearFigures(
        met=min(second.households_max, round(first.met * growth)),
        days=days,
        etp_filled=min(etp, first.etp_filled + recruited),
        credits_share=min(
            Decimal(second.credits_share_max_pct) / 100, first.credits_share + share_gain
        ),
        assignations=min(second.assignations_max, assignations),
        assignations_previous=_near(
            rng=rng, value=first.assignations, percent=second.assignations_previous_spread_pct
        ),
    )


def _near(*, rng: random.Random, value: int, percent: int) -> int:
    """``value`` give or take ``percent`` %."""
    return round(value * (1 + rng.uniform(-percent, percent) / 100))
