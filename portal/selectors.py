"""Reads of the core data: territories, their totals, a person's organisations."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from django.db.models import Count, Sum

from portal.models import Membership, Territory, User


@dataclass(frozen=True)
class RegionGroup:
    region: str
    territories: list[Territory]
    etp: int
    budget_2021: Decimal


@dataclass(frozen=True)
class TerritoryTotals:
    territories: int
    etp: int
    budget_2021: Decimal
    budget_from_etp: Decimal


def territories_by_region() -> list[RegionGroup]:
    """The territories grouped by region (alphabetical), each group with its subtotals."""
    territories = sorted(
        Territory.objects.all(),
        key=lambda territory: (collation_key(territory.region), territory.code),
    )
    groups = []
    for region, members in groupby(territories, key=lambda territory: territory.region):
        rows = list(members)
        groups.append(
            RegionGroup(
                region=region,
                territories=rows,
                etp=sum(row.etp for row in rows),
                budget_2021=sum((row.budget_2021 for row in rows), Decimal(0)),
            )
        )
    return groups


def collation_key(text: str) -> str:
    """Sorts French names as a reader expects: « Île-de-France » among the I's."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def territory_totals() -> TerritoryTotals:
    """National totals of annexe 1, as published, and what ETP × 39 200 € would give."""
    aggregate = Territory.objects.aggregate(
        count=Count("id"), etp=Sum("etp"), budget=Sum("budget_2021")
    )
    etp = aggregate["etp"] or 0
    return TerritoryTotals(
        territories=aggregate["count"],
        etp=etp,
        budget_2021=aggregate["budget"] or Decimal(0),
        budget_from_etp=sum(
            (territory.budget_from_etp for territory in Territory.objects.all()), Decimal(0)
        ),
    )


def territory_codes() -> list[str]:
    return list(Territory.objects.order_by("code").values_list("code", flat=True))


def memberships_of(*, user: User) -> list[Membership]:
    """A person's memberships with their organisation and territory, for display."""
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation", "organisation__territory")
        .order_by("organisation__kind", "organisation__name")
    )
