"""The consolidation bench's invented answers: names and words, an answer to any form
version's schema, and a territory's bilan d'étape whose figures hold together."""

from __future__ import annotations

import datetime
import random
from typing import Any

from forms_app.form_builder import input_items
from forms_app.models import Campaign
from portal.models import Territory

SYLLABLES = (
    ("Bar", "Cor", "Del", "Fau", "Gar", "Lam", "Mor", "Per", "Ros", "Tal", "Ver", "Vil", "Quen"),
    ("an", "el", "i", "o", "ec", "ard", "ain", "ou", "eu", "ab"),
    ("d", "t", "nec", "s", "ne", "lle", "rieux", "vin", "zac", "mont"),
)
FIRST_NAMES = (
    "Camille", "Sandrine", "Mehdi", "Léa", "Yannick", "Fatou", "Hugo", "Inès", "Paul",
    "Aïcha", "Thomas", "Chloé", "Rachid", "Manon", "Bruno", "Sarah",
)  # fmt: skip
STREETS = ("rue des Lilas", "avenue Jean-Jaurès", "place du Marché", "chemin des Vignes")
SHORT_TEXTS = (
    "Suivi assuré par le CCAS",
    "Régie du Centre (fictive)",
    "T3, 64 m²",
    "Orientation vers la Maison départementale des solidarités",
    "Par l'intermédiaire du mandataire",
)
LONG_TEXTS = (
    "Le ménage a repris le paiement du loyer courant ; un plan d'apurement est proposé.",
    "Premier contact difficile : le ménage ignorait l'avancement de la procédure.\n"
    "Un second rendez-vous est fixé au domicile.",
    "Dossier FSL déposé, en attente de la commission.",
    "",
)
SERVICES = (
    "DDETS — Service logement et prévention des expulsions",
    "DRIHL — Unité départementale, bureau de la prévention des expulsions",
)
OPERATOR_NAMES = ("Association Accès au Logement", "ADIL", "CCAS de la ville-centre")


def invented_surname(rng: random.Random) -> str:
    return "".join(rng.choice(part) for part in SYLLABLES)


# ---------------------------------------------------------------------------------------
# Answers made from a form version's schema
# ---------------------------------------------------------------------------------------


def random_day(rng: random.Random, start: datetime.date, span: int) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange(max(span, 1)))


def _field_value(rng: random.Random, kind: str, block: dict, around: datetime.date) -> Any:
    """A plausible stored value for a field, as the answer form stores it (numbers with
    decimals and dates as strings, booleans, lists for multiple choices)."""
    if kind == "integer":
        low = block.get("min_value") or 0
        high = block.get("max_value") or low + 12
        return rng.randint(low, high)
    if kind == "decimal":
        low = block.get("min_value") or 0
        high = block.get("max_value") or low + 10
        return f"{rng.uniform(low, high):.{block.get('decimal_places', 2)}f}"
    if kind == "money":
        return f"{rng.uniform(20, 3000):.2f}"
    if kind == "percent":
        return f"{rng.uniform(0, 100):.0f}"
    if kind == "date":
        return random_day(rng, around - datetime.timedelta(days=400), 400).isoformat()
    if kind == "yes_no":
        return rng.random() < 0.5
    if kind == "choice":
        return rng.choice(block["choices"])["value"]
    if kind == "multi_choice":
        values = [choice["value"] for choice in block["choices"]]
        return rng.sample(values, k=rng.randint(1, min(3, len(values))))
    if kind == "email":
        return f"contact{rng.randrange(10**6)}@example.org"
    if kind == "phone":
        return f"06{rng.randrange(10**8):08d}"
    if kind == "long_text":
        return rng.choice(LONG_TEXTS)
    return rng.choice(SHORT_TEXTS)


def schema_answers(
    rng: random.Random, schema: list[dict], *, around: datetime.date, rows: int = 2
) -> dict[str, Any]:
    """An answer to every input field of ``schema`` (files left out, a quarter of the
    optional fields left empty), ``1..rows`` lines in each repeatable group."""
    data: dict[str, Any] = {}
    for item in input_items(schema):
        kind, block = item["type"], item["value"]
        if kind == "file":
            continue
        if not block.get("required") and rng.random() < 0.25:
            data[block["key"]] = [] if kind in ("multi_choice", "group") else None
        elif kind == "group":
            data[block["key"]] = [
                {
                    sub["value"]["key"]: _field_value(rng, sub["type"], sub["value"], around)
                    for sub in block["fields"]
                    if sub["type"] != "file"
                }
                for _ in range(rng.randint(max(block.get("min_rows") or 0, 1), rows))
            ]
        else:
            data[block["key"]] = _field_value(rng, kind, block, around)
    return data


# ---------------------------------------------------------------------------------------


def procedure_figures(
    rng: random.Random, *, previous: dict[str, int] | None
) -> tuple[dict[str, int], dict[str, int]]:
    """The procedure figures of year N, around the previous bilan's N (or drawn), and those
    of N-1: the previous bilan's N, or drawn around this year's."""
    base = previous or {"nb_assignations_n": rng.randint(500, 5000)}
    assignations = round(base["nb_assignations_n"] * rng.uniform(0.9, 1.1))
    counts = {
        "nb_assignations_n": assignations,
        "nb_decisions_n": round(assignations * rng.uniform(0.8, 0.9)),
        "nb_cql_n": round(assignations * rng.uniform(0.45, 0.55)),
        "nb_rfp_n": round(assignations * rng.uniform(0.25, 0.3)),
        "nb_cfp_n": round(assignations * rng.uniform(0.15, 0.2)),
        "nb_expulsions_n": round(assignations * rng.uniform(0.03, 0.05)),
    }
    earlier = previous or {
        key: round(value * rng.uniform(0.9, 1.1)) for key, value in counts.items()
    }
    return counts, earlier


def operator_rows(rng: random.Random, *, territory: Territory) -> list[dict[str, str]]:
    """One to three invented operators of the territory's team, as the bilan's group rows."""
    return [
        {"nom": f"{name} — {territory.name} (fictif)", "type": kind}
        for name, kind in rng.sample(
            list(zip(OPERATOR_NAMES, ("association", "adil", "ccas"), strict=True)),
            k=rng.randint(1, 3),
        )
    ]


def bilan_answers(
    rng: random.Random,
    *,
    territory: Territory,
    campaign: Campaign,
    previous: dict[str, int] | None,
) -> dict[str, Any]:
    """A territory's bilan d'étape: counters consistent with one another and with the team's
    size, procedure figures whose N-1 is the previous bilan's N."""
    etp = float(territory.etp or 3)
    months = (campaign.period_end - campaign.period_start).days / 30.4
    met = max(1, round(etp * months * rng.uniform(4, 8)))
    accompanied = round(met * rng.uniform(0.35, 0.6))
    diagnostics = round(met * rng.uniform(0.55, 0.8))
    split = sorted(rng.sample(range(1, met), 3)) if met > 3 else [0, 0, 0]
    counts, earlier = procedure_figures(rng, previous=previous)
    operators = operator_rows(rng, territory=territory)
    data = {
        "annee": campaign.period_end.year,
        "periode_debut": campaign.period_start.isoformat(),
        "periode_fin": campaign.period_end.isoformat(),
        "redacteur_service": f"{rng.choice(SERVICES)} ({territory.name})",
        "operateurs": operators,
        "etp_finances": f"{etp:.2f}",
        "etp_pourvus": f"{etp * rng.choice((1, 1, 0.75, 0.5)):.2f}",
        "date_demarrage_effectif": random_day(rng, datetime.date(2021, 2, 1), 100).isoformat(),
        "credits_consommes": f"{etp * months * rng.uniform(3500, 5000):.2f}",
        "stades_couverts": sorted(rng.sample(["cdp", "assignation", "cql", "rfp", "cfp"], k=3)),
        "nb_menages_rencontres": met,
        "nb_jours_intervention": max(1, round(etp * months * rng.uniform(12, 18))),
        "nb_diagnostics": diagnostics,
        "nb_dsf": round(diagnostics * rng.uniform(0.3, 0.6)),
        "nb_menages_accompagnes": accompanied,
        "nb_bailleurs_contactes": round(met * rng.uniform(0.4, 0.8)),
        "nb_dispositifs_apurement": round(accompanied * rng.uniform(0.5, 1)),
        "nb_impayes_resorbes": round(accompanied * rng.uniform(0.2, 0.5)),
        "nb_relogements_accompagnes": round(accompanied * rng.uniform(0.05, 0.15)),
        "nb_menages_stade_cdp": split[0],
        "nb_menages_stade_assignation": split[1] - split[0],
        "nb_menages_stade_cql": split[2] - split[1],
        "nb_menages_stade_rfp_cfp": met - split[2] if met > 3 else met,
        "satisf_menages_moy": f"{rng.uniform(2.6, 3.9):.2f}",
        "nb_repondants_menages": rng.randint(5, 40),
        "satisf_bailleurs_moy": f"{rng.uniform(2.2, 3.6):.2f}",
        "nb_repondants_bailleurs": rng.randint(3, 25),
        "nb_orientations_hebergement": round(accompanied * rng.uniform(0, 0.1)),
        "commentaire_difficultes": rng.choice(LONG_TEXTS),
        **counts,
        # Known N-1 most of the time (optional in the form).
        **{
            f"{key}1": (earlier[key] if rng.random() < 0.95 else None)
            for key in counts  # nb_assignations_n -> nb_assignations_n1
        },
    }
    if rng.random() < 0.1:
        data["satisf_bailleurs_moy"] = data["nb_repondants_bailleurs"] = None
    return data
