"""The words of the consolidated tables: how a column reads and is formatted (its kind),
the keys of the meta columns (domain words, as the files show them), the columns every
table starts with, and the consolidated figures (measures, procedures).

Standard library only: every other module of ``documents.consolidation`` may import it,
and it imports nothing of the project.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Protocol

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
    """A column of a consolidated table: its key, its French label and its kind."""

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
GROUP_META_COLUMNS = (
    *PLACE_COLUMNS,
    Column(ORGANISATION, "Organisation"),
    Column(LIGNE, "Ligne", INTEGER),
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


@dataclass(frozen=True)
class Procedure:
    """One N / N-1 figure of the declared year-on-year rules, over the whole scope."""

    key: str
    label: str
    n: float | None
    n1: float | None
    evolution: float | None  # a fraction: 0.125 is +12,5 %


class Place(Protocol):
    """What the tables read of a territory (``portal.models.Territory``)."""

    code: str
    name: str
    region: str


class CampaignRef(Protocol):
    """What the tables read of a campaign (``forms_app.models.Campaign``)."""

    pk: Any
    title: str
    form: Any
    period_start: datetime.date | None
    period_end: datetime.date | None
