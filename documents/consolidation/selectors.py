"""What a person asked of a campaign's consolidated tables, within what they may see: the
scope of the page and of its files (``?region=``, ``?departement=``, ``?niveau=``), the
consolidation of that scope and the tracker's counts over its territories.

Filters are checked against the territories the person follows
(``portal.permissions.territories_followed_by``): a filter outside them is set aside with a
word why in French, and the person's own scope is shown, never more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from documents.consolidation.frames import (
    Consolidation,
    campaign_consolidation,
    consolidation_territories,
)
from forms_app import tracker
from forms_app.models import Campaign
from portal.models import Territory
from portal.selectors import collation_key

NATIONAL, BY_REGION, BY_DEPARTEMENT = "national", "region", "departement"
LEVELS = {
    NATIONAL: "France entière",
    BY_REGION: "Par région",
    BY_DEPARTEMENT: "Par département",
}


@dataclass
class ConsolidationScope:
    """The filters asked for, kept only within the territories the person follows."""

    region: str | None = None
    territory_code: str | None = None
    level: str = NATIONAL
    regions: list[str] = field(default_factory=list)
    territories: list[Territory] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def query(self) -> dict[str, str]:
        """The filters applied, as the page's and the files' links carry them."""
        return {
            key: value
            for key, value in (("region", self.region), ("departement", self.territory_code))
            if value
        }

    @property
    def querystring(self) -> str:
        return f"?{urlencode(self.query)}" if self.query else ""

    @property
    def can_choose(self) -> bool:
        return len(self.territories) > 1


def consolidation_scope(*, user, params: Mapping[str, str]) -> ConsolidationScope:
    """``?region=<name>``, ``?departement=<code>`` and ``?niveau=`` checked against the
    territories ``user`` follows. A filter outside them is set aside (the person's own scope
    is shown, never more); a département outside the region asked wins over the region."""
    followed = list(consolidation_territories(user=user))
    scope = ConsolidationScope(
        regions=sorted({t.region for t in followed}, key=collation_key),
        territories=followed,
    )
    by_code = {t.code: t for t in followed}
    region = (params.get("region") or "").strip()
    code = (params.get("departement") or "").strip()
    if region and region not in scope.regions:
        scope.notices.append(
            f"La région « {region} » n'est pas dans votre périmètre : filtre non appliqué."
        )
        region = ""
    if code and code not in by_code:
        scope.notices.append(
            f"Le département « {code} » n'est pas dans votre périmètre : filtre non appliqué."
        )
        code = ""
    if code and region and by_code[code].region != region:
        territory = by_code[code]
        scope.notices.append(
            f"Le département {territory.name} ({code}) n'est pas dans la région « {region} » "
            ": le filtre par région n'est pas appliqué."
        )
        region = ""
    scope.region, scope.territory_code = region or None, code or None
    asked = params.get("niveau") or ""
    if code:
        scope.level = BY_DEPARTEMENT
    elif region:
        scope.level = BY_REGION
    elif asked in LEVELS and scope.can_choose:
        scope.level = asked
    return scope


def scope_consolidation(
    *,
    campaign: Campaign,
    user,
    scope: ConsolidationScope,
    with_comparison: bool = True,
    with_field_counts: bool = True,
) -> Consolidation:
    """The campaign's consolidated tables over ``scope``."""
    return campaign_consolidation(
        campaign=campaign,
        user=user,
        region=scope.region,
        territory_code=scope.territory_code,
        with_comparison=with_comparison,
        with_field_counts=with_field_counts,
    )


def scope_status_counts(
    *, campaign: Campaign, user, territory_codes: list[str]
) -> tracker.TrackerCounts:
    """The tracker's counts over the territories of the tables (the filters included)."""
    followed = tracker.campaign_tracker(campaign=campaign, user=user)
    wanted = set(territory_codes)
    rows = [row for row in followed.rows if row.answer.organisation.territory.code in wanted]
    return tracker.tracker_counts(rows=rows)
