"""Demo households' situations: who lives there, what they earn and pay, the debt, and the
steps it calls for.

One ``Situation`` per household met holds the facts its documents share, so the contract takes
up the diagnostic's steps and the follow-up updates them (``household_documents``).
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from demo.household_content import (
    Amount,
    TerritoryContent,
    Weights,
    household_content,
)

YES, NO = "oui", "non"
AVAL_STAGES = frozenset({"cql", "rfp", "cfp"})
COUPLES = frozenset({"marie", "pacse", "concubin"})
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Agent:
    """The operator's staff member who writes the documents."""

    name: str
    email: str


@dataclass(frozen=True)
class CaseFacts:
    """What the case file says, that the documents build on."""

    stage: str
    source: str
    known: bool | None
    referred_on: datetime.date
    commune: str
    territory: TerritoryContent


@dataclass(frozen=True)
class Situation:
    """The household's facts, drawn once for all its documents."""

    born_on: datetime.date
    family: str
    adults: int
    children_ages: list[int]
    work: str
    incomes: dict[str, Decimal]
    charges: dict[str, Decimal]
    typology: str
    surface: int
    months: int
    debt: Decimal
    causes: list[str]
    relocation: bool
    steps: list[str]

    @property
    def apl(self) -> Decimal:
        return self.incomes.get("ressources_apl_al", Decimal(0))

    @property
    def rent_and_charges(self) -> Decimal:
        return self.charges["loyer_hc"] + self.charges.get("charges_locatives", Decimal(0))


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------


def weighted(rng: random.Random, weights: Weights) -> str:
    """One key of ``weights``, drawn in proportion to its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def yes_no(value: bool) -> str:
    return YES if value else NO


def money(value: Decimal) -> str:
    """An amount as typed in France: « 4 356,27 », « 712,40 »."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def amount_draw(rng: random.Random, amount: Amount, factor: float = 1.0) -> Decimal | None:
    if rng.random() >= amount.chance:
        return None
    return Decimal(str(rng.uniform(*amount.between) * factor)).quantize(CENT)


# ---------------------------------------------------------------------------------------
# The situation
# ---------------------------------------------------------------------------------------


def situation_draw(*, rng: random.Random, facts: CaseFacts) -> Situation:
    """Who lives there, what they earn and pay, the debt and the steps it calls for."""
    content = household_content()
    profile = rng.choices(content.situations, weights=[s.weight for s in content.situations])[0]
    family = weighted(rng, profile.family)
    adults = 2 if family in COUPLES else 1
    ages = sorted(rng.randint(1, 17) for _ in range(rng.randint(*profile.children)))
    incomes = {
        key: value
        for key, amount in profile.incomes.items()
        if (value := amount_draw(rng, amount)) is not None
    }
    housing = content.housing
    typology = rng.choice(housing.by_people[min(adults + len(ages), max(housing.by_people))])
    sizes = housing.typologies[typology]
    rent = Decimal(str(rng.uniform(*sizes.rent) * facts.territory.rent_factor)).quantize(CENT)
    charges = {"loyer_hc": rent}
    for key, amount in housing.charges.items():
        if (value := amount_draw(rng, amount)) is not None:
            charges[key] = value
    months = rng.randint(*content.debt.months_by_stage[facts.stage])
    monthly = rent + charges.get("charges_locatives", Decimal(0))
    unpaid = months * monthly * Decimal(str(1 - rng.uniform(*content.debt.paid_share)))
    low, high = content.debt.amount
    margin = Decimal(str(rng.uniform(*content.debt.amount_margin)))
    debt = min(max(unpaid, low + margin), high - margin).quantize(CENT)
    causes = _distinct(rng, profile.causes, rng.randint(1, 3))
    income = sum(incomes.values(), Decimal(0))
    relocation = monthly > income * Decimal(str(content.diagnostic.relocation_rent_share)) or (
        facts.stage in AVAL_STAGES and rng.random() < content.diagnostic.relocation_aval_chance
    )
    situation = Situation(
        born_on=day_between(rng, *content.people.born_between),
        family=family,
        adults=adults,
        children_ages=ages,
        work=profile.work,
        incomes=incomes,
        charges=charges,
        typology=typology,
        surface=rng.randint(*sizes.surface),
        months=months,
        debt=debt,
        causes=causes,
        relocation=relocation,
        steps=[],
    )
    return dataclasses.replace(situation, steps=_steps_draw(rng, facts, situation))


def _distinct(rng: random.Random, weights: Weights, count: int) -> list[str]:
    """``count`` different keys of ``weights`` (fewer if it has fewer), in the form's order."""
    left = dict(weights)
    chosen = []
    while left and len(chosen) < count:
        key = weighted(rng, left)
        chosen.append(key)
        del left[key]
    return [key for key in weights if key in chosen]


def day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def _steps_draw(rng: random.Random, facts: CaseFacts, situation: Situation) -> list[str]:
    """The steps the diagnostic proposes: each where it fits the case, with its chance."""
    diagnostic = household_content().diagnostic
    fits = {
        "mediation_bailleur": True,
        "presence_audience": facts.stage == "assignation",
        "fsl": True,
        "surendettement": "charges_credits" in situation.charges
        or "surendettement" in situation.causes,
        "action_logement": situation.work == "salarie",
        "droits_caf": not situation.apl or "suspension_apl" in situation.causes,
        "demande_logement_social": situation.relocation,
        "dalo": situation.relocation and facts.stage in AVAL_STAGES,
        "siao": situation.relocation and facts.stage in {"rfp", "cfp"},
        "travailleur_social_cd": facts.known is False,
    }
    steps = [
        step
        for step, chance in diagnostic.step_chances.items()
        if fits.get(step) and rng.random() < chance
    ] or ["mediation_bailleur"]
    if len(steps) > diagnostic.steps_max:
        first, others = steps[0], steps[1:]
        kept = set(rng.sample(others, diagnostic.steps_max - 1))
        steps = [first, *[step for step in others if step in kept]]
    return steps
