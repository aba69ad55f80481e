"""Demo households' documents: the diagnostic, the contract and the follow-up, as typed.

Each ``*_post`` returns what the operator types on top of the document's prefill (identity,
stage, date of the last exchange and the contract's lines come from the case file), in the
form's order, from the household's ``Situation`` (``household_situation``); the answer form
checks it when the demo is stored.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from demo.answer_plans import group_post
from demo.household_content import household_content
from demo.household_situation import (
    AVAL_STAGES,
    NO,
    YES,
    Agent,
    CaseFacts,
    Situation,
    money,
    weighted,
    yes_no,
)

RELOCATION_STEPS = {"demande_logement_social": "dls", "dalo": "dalo", "siao": "siao"}


def _days(day: datetime.date, days: int) -> str:
    return (day + datetime.timedelta(days=days)).isoformat()


def draft_part(post: dict[str, Any], share: float) -> dict[str, Any]:
    """The first part of ``post`` (in the form's order): what was typed before leaving."""
    items = list(post.items())
    return dict(items[: max(1, round(len(items) * share))])


# ---------------------------------------------------------------------------------------
# The diagnostic
# ---------------------------------------------------------------------------------------


def diagnostic_post(
    *,
    rng: random.Random,
    facts: CaseFacts,
    situation: Situation,
    interviewed_on: datetime.date,
    at_meeting: bool,
    contact_modes: list[str],
    agent: Agent,
) -> dict[str, Any]:
    """The diagnostic as the operator types it (identity and stage come prefilled)."""
    content = household_content().diagnostic
    modes = [mode for mode in ("courrier", "telephone", "sms", "visite") if mode in contact_modes]
    return {
        "redacteur_nom": agent.name,
        "redacteur_qualite": weighted(rng, content.writer_roles),
        "redacteur_coordonnees": agent.email,
        "date_entretien": interviewed_on.isoformat(),
        "lieu_entretien": "domicile" if at_meeting else weighted(rng, content.places),
        "locataire_present": yes_no(rng.random() < content.tenant_present_chance),
        "mode_contact": modes,
        "transmission_obligatoire_mentionnee": YES,
        **_procedure(rng, facts),
        "date_naissance": situation.born_on.isoformat(),
        **_household(rng, facts, situation),
        **{key: money(value) for key, value in situation.incomes.items()},
        "situation_pro": situation.work,
        **{key: money(value) for key, value in situation.charges.items()},
        **_tenancy(rng, facts, situation, interviewed_on),
        **_debt(rng, situation, interviewed_on),
        **_treatment(rng, situation, interviewed_on),
        **_conclusions(rng, situation),
    }


def _procedure(rng: random.Random, facts: CaseFacts) -> dict[str, str]:
    """The procedure's dates known at the interview, the deed's check and the CCAPEX."""
    content = household_content().diagnostic
    referred = facts.referred_on
    post: dict[str, Any] = {}
    if facts.stage == "cdp":
        post["date_cdp"] = _days(referred, -rng.randint(15, 60))
    else:
        aval = facts.stage in AVAL_STAGES
        summoned = -rng.randint(250, 380) if aval else -rng.randint(10, 35)
        post["date_cdp"] = _days(referred, summoned - rng.randint(90, 180))
        post["date_assignation"] = _days(referred, summoned)
        post["date_audience"] = _days(referred, summoned + rng.randint(65, 110))
    checked = weighted(rng, content.deed_checked)
    if checked:
        post["acte_generateur_regulier"] = checked
    if checked == NO:
        post["acte_generateur_observations"] = rng.choice(content.deed_observations)
    referred_by_ccapex = facts.source == "ccapex" or facts.stage in AVAL_STAGES
    post["ccapex_saisie"] = yes_no(referred_by_ccapex)
    if referred_by_ccapex:
        post["ccapex_date"] = _days(referred, -rng.randint(5, 40))
        recommendation = rng.choice(content.ccapex_recommendations)
        if recommendation:
            post["ccapex_recommandations"] = recommendation
    return post


def _household(rng: random.Random, facts: CaseFacts, situation: Situation) -> dict[str, Any]:
    content = household_content().diagnostic
    ages = situation.children_ages
    post: dict[str, Any] = {
        "situation_familiale": situation.family,
        "nb_adultes": str(situation.adults),
        "nb_enfants": str(len(ages)),
    }
    if ages:
        listed = [f"{age}" for age in ages]
        post["ages_enfants"] = (
            f"{', '.join(listed[:-1])} et {listed[-1]} ans" if len(ages) > 1 else f"{ages[0]} ans"
        )
    if facts.known is not None:
        post["suivi_social_existant"] = yes_no(facts.known)
    if facts.known:
        post["suivi_social_par"] = [rng.choice(["cd", "caf", "ccas", "association"])]
    post["aide_juridictionnelle"] = yes_no(
        facts.stage != "cdp" and rng.random() < content.legal_aid_chance
    )
    post["avocat"] = yes_no(facts.stage != "cdp" and rng.random() < content.lawyer_chance)
    return post


def _tenancy(
    rng: random.Random, facts: CaseFacts, situation: Situation, interviewed_on: datetime.date
) -> dict[str, Any]:
    people, housing = household_content().people, household_content().housing
    landlord_type = weighted(rng, housing.landlord_types)
    surname = rng.choice(people.landlord_surnames)
    landlord = {
        "personne_physique": f"{rng.choice(['M.', 'Mme', 'M. et Mme'])} {surname}",
        "sci_familiale": rng.choice(people.landlord_companies).format(surname=surname),
        "personne_morale_privee": rng.choice(people.private_companies),
    }[landlord_type]
    agency = rng.choice(people.agencies)
    prefix = facts.territory.landline_prefix
    post = {
        "bailleur_type": landlord_type,
        "bailleur_nom": landlord,
        "bailleur_contact": (
            "Par l'intermédiaire du mandataire"
            if agency
            else f"{prefix} {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"
        ),
    }
    if agency:
        post["mandataire"] = agency
    years = rng.randint(*housing.lived_there_years)
    post.update(
        {
            "date_entree": _days(interviewed_on, -365 * years - rng.randint(0, 300)),
            "bail": "meuble" if rng.random() < housing.furnished_chance else "vide",
            "typologie": f"{situation.typology}, {situation.surface} m²",
            "tiers_payant_apl": yes_no(
                bool(situation.apl) and rng.random() < housing.direct_payment_chance
            ),
            "indecence_signalee": yes_no(rng.random() < housing.indecency_chance),
        }
    )
    return post


def _debt(
    rng: random.Random, situation: Situation, interviewed_on: datetime.date
) -> dict[str, Any]:
    content = household_content().debt
    first_unpaid = interviewed_on - datetime.timedelta(days=30 * situation.months)
    post: dict[str, Any] = {
        "montant_dette": money(situation.debt),
        "date_decompte": _days(interviewed_on, -rng.randint(0, 25)),
        "date_premier_impaye": _days(first_unpaid, -rng.randint(0, 20)),
        "nb_mois_impayes": str(situation.months),
        "dette_contestee": yes_no(rng.random() < content.contested_chance),
    }
    if rng.random() < content.other_debts_chance:
        post["autres_dettes"] = rng.choice(content.other_debts)
    post["causes"] = situation.causes
    return post


def _capacity(situation: Situation) -> Decimal:
    """A tenth of what is left after the charges, between 30 and 300 €, in tens."""
    left = sum(situation.incomes.values(), Decimal(0)) - sum(situation.charges.values())
    tens = (left / 100).to_integral_value() * 10
    return min(max(Decimal(30), tens), Decimal(300))


def _treatment(
    rng: random.Random, situation: Situation, interviewed_on: datetime.date
) -> dict[str, Any]:
    """How the debt is dealt with so far, and the rent being paid again."""
    content = household_content().diagnostic
    steps = situation.steps
    capacity = _capacity(situation)
    plan = "mediation_bailleur" in steps and rng.random() < 0.5
    post: dict[str, Any] = {"plan_apurement": yes_no(plan)}
    if plan:
        post["plan_apurement_mensualite"] = money(capacity)
    post["fsl"] = rng.choice(["non", "depose"]) if "fsl" in steps else "non"
    post["action_logement"] = yes_no("action_logement" in steps)
    if situation.apl:
        post["maintien_apl"] = yes_no(rng.random() < 0.5)
    post["surendettement"] = (
        rng.choice(["depose", "recevable"]) if "surendettement" in steps else "non"
    )
    resumed = rng.random() < content.rent_resumed_chance
    post["reprise_paiement_loyer"] = yes_no(resumed)
    if resumed:
        post["reprise_paiement_date"] = _days(interviewed_on, -rng.randint(0, 45))
        post["reprise_paiement_montant"] = money(
            max(situation.rent_and_charges - situation.apl, Decimal(50))
        )
    post["capacite_remboursement_mensuelle"] = money(capacity)
    return post


def _conclusions(rng: random.Random, situation: Situation) -> dict[str, Any]:
    content = household_content().diagnostic
    relocation = [RELOCATION_STEPS[s] for s in situation.steps if s in RELOCATION_STEPS]
    post: dict[str, Any] = {"relogement_necessaire": yes_no(situation.relocation)}
    if situation.relocation and relocation:
        post["relogement_demarches"] = relocation
    texts = [
        rng.choice(content.preconisations[step]).format(dette=money(situation.debt))
        for step in situation.steps[:2]
        if step in content.preconisations
    ]
    post["preconisations"] = " ".join(texts)
    post["demarches_proposees"] = situation.steps
    for key in ("observations_redacteur", "observations_locataire", "observations_bailleur"):
        text = rng.choice(getattr(content, key))
        if text:
            post[key] = text
    return post


# ---------------------------------------------------------------------------------------
# The contract and the follow-up
# ---------------------------------------------------------------------------------------


def _partner(facts: CaseFacts, step: str) -> str:
    return facts.territory.partners.get(step, "").format(commune=facts.commune)


def contract_post(
    *,
    rng: random.Random,
    facts: CaseFacts,
    situation: Situation,
    signed_on: datetime.date,
    agent: Agent,
) -> dict[str, Any]:
    """The contract: one line per step the diagnostic proposed, with its objective."""
    calendar = household_content().calendar
    content = household_content().contract
    rows = []
    for step in situation.steps:
        line = content.steps[step]
        row = {
            "demarche": step,
            "objectif": rng.choice(line.objectifs),
            "porteur": line.porteur,
            "modalite": line.modalite,
        }
        partner = _partner(facts, step)
        if partner and line.modalite != "realisation_directe":
            row["organisme_oriente"] = partner
        row["echeance"] = _days(signed_on, rng.randint(*calendar.engagement_due_days))
        row["statut"] = "en_cours" if rng.random() < content.line_started_chance else "a_faire"
        rows.append(row)
    return {
        "referent": agent.name,
        "date_signature": signed_on.isoformat(),
        "echeance": _days(signed_on, 30 * rng.randint(*calendar.contract_months)),
        **group_post(key="engagements", rows=rows),
        "signature_menage": YES,
        "signature_operateur": YES,
        "bailleur_informe_garanties": yes_no(rng.random() < content.landlord_informed_chance),
    }


def veille_post(
    *,
    rng: random.Random,
    facts: CaseFacts,
    situation: Situation,
    contacted_on: datetime.date,
    issue: str,
) -> dict[str, Any]:
    """The follow-up: the contact, each step's new status and the outcome."""
    content = household_content().veille
    reached = issue != "injoignable"
    post: dict[str, Any] = {
        "date_contact": contacted_on.isoformat(),
        "mode": weighted(rng, content.modes) if reached else rng.choice(["telephone", "sms"]),
        "contact_etabli": yes_no(reached),
        **group_post(
            key="engagements",
            rows=[
                {"demarche": step, "statut": weighted(rng, content.line_statuses[issue])}
                for step in situation.steps
            ],
        ),
    }
    if reached:
        post["impaye_resorbe"] = yes_no(rng.random() < content.arrears_cleared[issue])
    relayed = issue == "orientation_droit_commun"
    post["transition_effective"] = yes_no(relayed)
    if relayed:
        post["organisme_relais"] = rng.choice(facts.territory.relay).format(commune=facts.commune)
        post["date_transition"] = _days(contacted_on, -rng.randint(*content.relay_before_contact))
    post["issue"] = issue
    post["commentaire"] = rng.choice(content.comments[issue])
    return post
