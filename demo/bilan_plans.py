"""Demo answers to the bilans d'étape: half-year activity figures that hold together.

The figures derive from the territory's base figures (``teams.YearFigures``) with the shares
of ``answers.yaml`` (section ``bilan``): fewer households diagnosed than met, fewer
accompanied than diagnosed, the procedure's stages adding up to the households met.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from demo.answer_content import demo_content
from demo.answer_plans import (
    AnswerPlan,
    Outcome,
    day_between,
    draft_plan,
    fr_number,
    group_post,
    office_moment,
    outcome_mix,
    outcomes_draw,
    transmitted_plan,
    working_day,
)
from demo.teams import TeamProfile, YearFigures, operator_rows, respondent_teams
from forms_app.models import Campaign

# The procedure's stages as the bilan counts the households met (nb_menages_stade_<stage>).
HOUSEHOLD_STAGES = ["cdp", "assignation", "cql", "rfp_cfp"]


def bilan_plans(
    *, rng: random.Random, campaign: Campaign, year: int, teams: dict[int, TeamProfile]
) -> list[AnswerPlan]:
    """One plan per respondent of the ``year`` bilan, outcomes spread as ``answers.yaml`` says."""
    outcomes_content = demo_content().outcomes
    respondents = respondent_teams(campaign=campaign, teams=teams)
    codes = [team.territory.code for team in respondents]
    bilans = outcomes_content.bilans
    mix = outcome_mix(bilans.get(year, bilans[max(bilans)]))
    forced = {code: Outcome(kind) for code, kind in outcomes_content.forced.get(year, {}).items()}
    outcomes = outcomes_draw(rng=rng, mix=mix, codes=codes, forced=forced)
    return [
        _bilan_plan(
            rng=rng, campaign=campaign, year=year, team=team, outcome=outcomes[team.territory.code]
        )
        for team in respondents
    ]


def _bilan_plan(
    *, rng: random.Random, campaign: Campaign, year: int, team: TeamProfile, outcome: Outcome
) -> AnswerPlan:
    bilan = demo_content().bilan
    post = _bilan_post(rng=rng, campaign=campaign, year=year, team=team)
    plan = {"rng": rng, "campaign": campaign, "organisation": team.organisation, "post": post}
    due = campaign.due_on
    if outcome.kind == "draft":
        last = due - datetime.timedelta(days=bilan.draft_saved_by_days_before_due)
        saved = office_moment(rng=rng, day=day_between(rng=rng, first=campaign.opens_on, last=last))
        return draft_plan(**plan, saved_at=saved, share=bilan.draft_share)
    if outcome.late:
        day = due + datetime.timedelta(days=rng.randint(*bilan.late_days_after_due))
    else:
        early = datetime.timedelta(days=rng.randint(*bilan.days_before_due))
        day = min(working_day(due - early), due)
    return transmitted_plan(
        **plan,
        outcome=outcome,
        submitted=office_moment(rng=rng, day=day),
        return_comments=demo_content().review.return_comments["bilan"],
    )


def _bilan_post(
    *, rng: random.Random, campaign: Campaign, year: int, team: TeamProfile
) -> dict[str, Any]:
    bilan = demo_content().bilan
    figures = team.years.get(year) or team.years[max(team.years)]
    return {
        **_header(campaign=campaign, year=year, team=team, figures=figures),
        **_activity(rng=rng, met=figures.met, days=figures.days, stages=team.stages),
        **_satisfaction(rng=rng, met=figures.met),
        **_procedures(rng=rng, year=year, figures=figures),
        "nb_orientations_hebergement": str(
            round(figures.met * rng.uniform(*bilan.activity.shelter_referrals))
        ),
        "commentaire_difficultes": rng.choice(bilan.difficulty_comments),
    }


def _header(
    *, campaign: Campaign, year: int, team: TeamProfile, figures: YearFigures
) -> dict[str, Any]:
    """Who writes, for which period, with which staff, money and stages."""
    bilan = demo_content().bilan
    territory = team.territory
    service = bilan.drihl_service if territory.code in bilan.drihl_codes else bilan.ddets_service
    credits = (territory.budget_2021 / 2 * figures.credits_share).quantize(Decimal("0.01"))
    stages = [part for stage in team.stages for part in bilan.stage_parts.get(stage, [stage])]
    return {
        "annee": str(year),
        "periode_debut": (campaign.period_start or datetime.date(year, 1, 1)).isoformat(),
        "periode_fin": (campaign.period_end or datetime.date(year, 6, 30)).isoformat(),
        "redacteur_service": service.format(place=team.place),
        **group_post(key="operateurs", rows=operator_rows(team)),
        "etp_finances": fr_number(territory.etp),
        "etp_pourvus": fr_number(figures.etp_filled),
        "date_demarrage_effectif": team.started_on.isoformat(),
        "credits_consommes": fr_number(credits),
        "stades_couverts": stages,
    }


def _activity(*, rng: random.Random, met: int, days: int, stages: list[str]) -> dict[str, str]:
    """Households met and what followed: ≈ 60 % diagnosed, 40 % accompanied, 15 % resolved."""
    shares = demo_content().bilan.activity
    diagnostics = round(met * rng.uniform(*shares.diagnosed))
    counts = {
        "nb_menages_rencontres": met,
        "nb_jours_intervention": days,
        "nb_diagnostics": diagnostics,
        "nb_dsf": round(diagnostics * rng.uniform(*shares.dsf_of_diagnosed)),
        "nb_menages_accompagnes": round(met * rng.uniform(*shares.accompanied)),
        "nb_bailleurs_contactes": round(met * rng.uniform(*shares.landlords_contacted)),
        "nb_dispositifs_apurement": round(met * rng.uniform(*shares.repayment_plans)),
        "nb_impayes_resorbes": round(met * rng.uniform(*shares.arrears_cleared)),
        "nb_relogements_accompagnes": round(met * rng.uniform(*shares.rehousings)),
    }
    counts.update(_households_by_stage(rng=rng, met=met, stages=stages))
    return {key: str(value) for key, value in counts.items()}


def _households_by_stage(*, rng: random.Random, met: int, stages: list[str]) -> dict[str, int]:
    """Splits the households met over the procedure's stages, mostly the team's own."""
    bilan = demo_content().bilan
    weights = [
        rng.uniform(*bilan.own_stage_weight) if key in stages else bilan.other_stage_weight
        for key in HOUSEHOLD_STAGES
    ]
    total = sum(weights)
    shares = [int(met * weight / total) for weight in weights]
    shares[weights.index(max(weights))] += met - sum(shares)
    return {
        f"nb_menages_stade_{key}": share
        for key, share in zip(HOUSEHOLD_STAGES, shares, strict=True)
    }


def _satisfaction(*, rng: random.Random, met: int) -> dict[str, str]:
    """Mean satisfaction on a 1–4 scale; some teams have not surveyed anyone yet."""
    satisfaction = demo_content().bilan.satisfaction
    if rng.random() < satisfaction.no_survey_chance:
        keys = ("satisf_menages_moy", "nb_repondants_menages")
        keys += ("satisf_bailleurs_moy", "nb_repondants_bailleurs")
        return dict.fromkeys(keys, "")
    return {
        "satisf_menages_moy": fr_number(round(rng.uniform(*satisfaction.households_mean), 2)),
        "nb_repondants_menages": str(
            round(met * rng.uniform(*satisfaction.households_respondents))
        ),
        "satisf_bailleurs_moy": fr_number(round(rng.uniform(*satisfaction.landlords_mean), 2)),
        "nb_repondants_bailleurs": str(
            round(met * rng.uniform(*satisfaction.landlords_respondents))
        ),
    }


def _procedures(*, rng: random.Random, year: int, figures: YearFigures) -> dict[str, str]:
    """The private park's procedures, year N and N-1, in the national proportions."""
    procedures = demo_content().bilan.procedures
    evictions = procedures.evictions_by_year.get(year, procedures.evictions_otherwise)
    current = _procedure_chain(
        rng=rng, assignations=figures.assignations, evictions=rng.uniform(*evictions)
    )
    previous = _procedure_chain(
        rng=rng,
        assignations=figures.assignations_previous,
        evictions=rng.uniform(*procedures.evictions_previous_year),
    )
    post = {f"{key}_n": str(value) for key, value in current.items()}
    post.update({f"{key}_n1": str(value) for key, value in previous.items()})
    return post


def _procedure_chain(*, rng: random.Random, assignations: int, evictions: float) -> dict[str, int]:
    """One year of procedures from ``assignations``; ``evictions`` of the police help granted."""
    procedures = demo_content().bilan.procedures
    decisions = round(assignations * rng.uniform(*procedures.decisions))
    orders = round(assignations * rng.uniform(*procedures.orders_to_leave))
    requests = round(assignations * rng.uniform(*procedures.police_requests))
    granted = round(requests * rng.uniform(*procedures.police_granted))
    return {
        "nb_assignations": assignations,
        "nb_decisions": decisions,
        "nb_cql": orders,
        "nb_rfp": requests,
        "nb_cfp": granted,
        "nb_expulsions": round(granted * evictions),
    }
