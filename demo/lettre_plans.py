"""Demo answers to the lettre de préfiguration, signed in December 2020.

Each question's answer is drawn from the texts of ``answers.yaml`` (section ``lettre``) and
agrees with the territory's team: its operators, the stages it covers, its staff.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from demo.answer_content import demo_content
from demo.answer_plans import (
    AnswerPlan,
    Outcome,
    day_between,
    decimal_choice,
    draft_plan,
    fr_number,
    group_post,
    office_moment,
    outcome_mix,
    outcomes_draw,
    transmitted_plan,
    working_day,
)
from demo.pdf import pdf_bytes
from demo.teams import TeamProfile, operator_rows, respondent_teams
from forms_app.models import Campaign
from portal.models import Organisation


def lettre_plans(
    *, rng: random.Random, campaign: Campaign, teams: dict[int, TeamProfile]
) -> list[AnswerPlan]:
    """One plan per respondent of the lettre, outcomes spread as ``answers.yaml`` says."""
    respondents = respondent_teams(campaign=campaign, teams=teams)
    codes = [team.territory.code for team in respondents]
    mix = outcome_mix(demo_content().outcomes.lettre)
    outcomes = outcomes_draw(rng=rng, mix=mix, codes=codes, forced={})
    return [
        _lettre_plan(rng=rng, campaign=campaign, team=team, outcome=outcomes[team.territory.code])
        for team in respondents
    ]


def letter_pdf(*, organisation: Organisation) -> SimpleUploadedFile:
    """The signed letter's stand-in: a one-page PDF naming the prefecture."""
    lettre = demo_content().lettre
    return SimpleUploadedFile(
        lettre.letter_file_name.format(code=organisation.territory.code),
        pdf_bytes(lettre.letter_text.format(organisation=organisation.name)),
        content_type="application/pdf",
    )


def _lettre_plan(
    *, rng: random.Random, campaign: Campaign, team: TeamProfile, outcome: Outcome
) -> AnswerPlan:
    lettre = demo_content().lettre
    signed_on, submitted = _lettre_dates(rng=rng, outcome=outcome)
    post = _lettre_post(rng=rng, team=team, signed_on=signed_on)
    plan = {"rng": rng, "campaign": campaign, "organisation": team.organisation, "post": post}
    if outcome.kind == "draft":
        first, last = lettre.draft_saved_between
        saved = office_moment(rng=rng, day=day_between(rng=rng, first=first, last=last))
        return draft_plan(**plan, saved_at=saved, share=lettre.draft_share)
    return transmitted_plan(
        **plan,
        outcome=outcome,
        submitted=submitted,
        return_comments=demo_content().review.return_comments["lettre"],
        attach_letter=True,
    )


def _lettre_dates(
    *, rng: random.Random, outcome: Outcome
) -> tuple[datetime.date, datetime.datetime]:
    """Signed in December 2020; transmitted by 28/12 or, when late, in early January."""
    lettre = demo_content().lettre
    if outcome.late:
        signed = day_between(
            rng=rng, first=lettre.late_signed_between[0], last=lettre.late_signed_between[1]
        )
        submitted = day_between(
            rng=rng,
            first=lettre.late_transmitted_between[0],
            last=lettre.late_transmitted_between[1],
        )
        return working_day(signed), office_moment(rng=rng, day=submitted)
    first, last = lettre.signed_between
    signed = working_day(day_between(rng=rng, first=first, last=last))
    submitted = signed + datetime.timedelta(days=rng.randint(*lettre.days_to_transmit))
    latest = lettre.transmitted_by
    return signed, office_moment(rng=rng, day=min(working_day(submitted), latest))


def _lettre_post(
    *, rng: random.Random, team: TeamProfile, signed_on: datetime.date
) -> dict[str, Any]:
    title = rng.choice(demo_content().lettre.signatory_titles)
    return {
        "signataire_prefet": f"{title} {team.place}",
        "date_signature": signed_on.isoformat(),
        **_q1_existing_teams(rng=rng, team=team),
        **_q2_operators(rng=rng, team=team),
        **_q3_scale(rng=rng),
        **_q4_partners(rng=rng),
        **_q5_stages(team=team),
        **_q6_team(rng=rng, team=team),
    }


def _q1_existing_teams(*, rng: random.Random, team: TeamProfile) -> dict[str, Any]:
    situation = rng.choice(demo_content().lettre.q1_situations)
    return {
        "q1_equipes_existantes": situation.existing,
        "q1_description": situation.description.format(operator=team.operators[0][0]),
        "q1_mode_creation": situation.mode,
    }


def _q2_operators(*, rng: random.Random, team: TeamProfile) -> dict[str, Any]:
    justifications = demo_content().lettre.q2_justifications
    count = len(team.operators)
    return {
        "q2_nb_operateurs": str(count),
        **group_post(key="q2_operateurs_pressentis", rows=operator_rows(team)),
        "q2_justification": rng.choice(justifications[min(count, max(justifications))]),
    }


def _q3_scale(*, rng: random.Random) -> dict[str, Any]:
    q3 = demo_content().lettre.q3
    scale = rng.choices(list(q3.scale_weights), weights=list(q3.scale_weights.values()))[0]
    if scale == "departement":
        population = assignations = ""
    else:
        pop = Decimal(rng.randint(*q3.population_half_pct)) / 2
        population = fr_number(pop)
        extra = rng.randint(*q3.assignations_extra_pct)
        assignations = fr_number(min(Decimal(q3.assignations_max_pct), pop + extra))
    text = rng.choice(q3.justifications[scale])
    return {
        "q3_echelle": scale,
        "q3_part_population_pct": population,
        "q3_part_assignations_pct": assignations,
        "q3_justification": text.format(population=population, assignations=assignations),
    }


def _q4_partners(*, rng: random.Random) -> dict[str, Any]:
    q4 = demo_content().lettre.q4
    partners = list(q4.partners_always)
    partners += [key for key in q4.partners_sometimes if rng.random() < q4.partner_chance]
    month = rng.choice(q4.months)
    state = q4.state.format(
        partners=_french_list([q4.partner_names[key] for key in partners]),
        month=month,
        next_step=rng.choice(q4.next_steps),
    )
    return {"q4_partenaires_contactes": partners, "q4_etat": state}


def _french_list(names: list[str]) -> str:
    """« a », « a et b », « a, b et c »."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def _q5_stages(*, team: TeamProfile) -> dict[str, Any]:
    q5 = demo_content().lettre.q5
    upstream = bool(set(q5.upstream_stages) & set(team.stages))
    downstream = bool(set(q5.downstream_stages) & set(team.stages))
    reason = "both" if upstream and downstream else ("amont" if upstream else "aval")
    return {"q5_stades": list(team.stages), "q5_justification": q5.justifications[reason]}


def _q6_team(*, rng: random.Random, team: TeamProfile) -> dict[str, Any]:
    q6 = demo_content().lettre.q6
    etp = Decimal(team.territory.etp) - decimal_choice(rng=rng, values=q6.etp_vacant)
    people = int(etp) + rng.randint(0, team.territory.etp)
    part_time = people > etp
    visits = str(rng.choice(q6.visit_time_pct)) if part_time else ""
    template = q6.justifications["part_time" if part_time else "full_time"]
    profiles = rng.sample(q6.profiles, rng.randint(*q6.profile_count))
    return {
        "q6_nb_personnes": str(people),
        "q6_etp": fr_number(etp),
        "q6_profils": sorted(profiles, key=q6.profiles.index),
        "q6_part_temps_visites_pct": visits,
        "q6_justification": template.format(people=people, etp=fr_number(etp)),
    }
