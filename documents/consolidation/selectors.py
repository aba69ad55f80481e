"""The database reads of the consolidated tables, through the permission filters: the
territories a person follows (``portal.permissions``), the filed answers they may see, the
form's versions and declared rules, the campaigns to compare, the household counts and the
expected answers; and what a person asked of the tables (``?region=``, ``?departement=``,
``?niveau=``), checked against what they may see.

Filters are checked against the territories the person follows
(``portal.permissions.territories_followed_by``): a filter outside them is set aside with a
word why in French, and the person's own scope is shown, never more.

Imports ``vocabulary``, ``rules``, ``frames`` and ``answers`` of the package, and
``documents.models``; never a page, a file or the report.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd
from django.db.models import QuerySet

from documents.consolidation.answers import AnswerRow
from documents.consolidation.frames import counts_frame
from documents.consolidation.models import ConsolidationRules
from documents.consolidation.rules import Rule, default_rules, rule_from_block
from documents.consolidation.vocabulary import INTEGER, PLACE_COLUMNS, Column
from forms_app import tracker
from forms_app.households.indicators import FIELD_INDICATORS, field_indicators_by_territory
from forms_app.models import Campaign, FormVersion, Submission, SubmissionStatus
from forms_app.selectors import campaign_respondents
from portal import permissions
from portal.models import Territory
from portal.selectors import collation_key

FILED_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)


# ---------------------------------------------------------------------------------------
# Territories, answers, versions and rules
# ---------------------------------------------------------------------------------------


def consolidation_territories(
    *, user, region: str | None = None, territory_code: str | None = None
) -> QuerySet[Territory]:
    """The territories a person's tables cover: those they follow, narrowed by a region or a
    département when asked (a filter outside their scope gives nothing, never more)."""
    territories = permissions.territories_followed_by(user).order_by("code")
    if region:
        territories = territories.filter(region=region)
    if territory_code:
        territories = territories.filter(code=territory_code)
    return territories


def filed_answers(*, campaign: Campaign, user, territory_ids: list[int]) -> QuerySet[Submission]:
    """The campaign's transmitted or accepted answers ``user`` may see, in those territories."""
    return (
        permissions.submissions_visible_to(user)
        .filter(campaign=campaign, status__in=FILED_STATUSES, territory_id__in=territory_ids)
        .order_by("territory__code", "organisation__name", "pk")
    )


def answer_rows(*, answers: QuerySet[Submission]) -> list[AnswerRow]:
    """The answers as rows of the answers table (their status in French)."""
    statuses = dict(SubmissionStatus.choices)
    return [
        AnswerRow(
            code=code,
            name=name,
            region=region,
            organisation=organisation,
            status=statuses.get(status, status),
            submitted_on=submitted_at.date() if submitted_at else None,
            version_id=version_id,
            data=data,
        )
        for code, name, region, organisation, status, submitted_at, version_id, data in (
            answers.values_list(
                "territory__code",
                "territory__name",
                "territory__region",
                "organisation__name",
                "status",
                "submitted_at",
                "form_version_id",
                "data",
            )
        )
    ]


def form_versions(*, form_id: int) -> list[FormVersion]:
    """The form's versions, newest first."""
    return list(FormVersion.objects.filter(form_id=form_id).order_by("-number"))


def declared_rules(*, form) -> list[Rule] | None:
    """The form's declared rules, or None when editors declared nothing."""
    declaration = ConsolidationRules.objects.filter(form=form).first()
    if declaration is None or not len(declaration.rules):
        return None
    rules, seen = [], set()
    for block in declaration.rules:
        rule = rule_from_block(block.block_type, dict(block.value))
        if rule.key not in seen:  # the admin refuses repeats; a stray one is skipped
            seen.add(rule.key)
            rules.append(rule)
    return rules


def rules_for_form(*, form, columns: list[Column]) -> list[Rule]:
    """The form's declared rules, else the default ones for its ``columns``."""
    declared = declared_rules(form=form)
    return declared if declared is not None else default_rules(columns)


def compared_campaigns(*, campaign: Campaign) -> list[Campaign]:
    """The campaign and the opened campaigns of its form before it, oldest first."""

    def order(c: Campaign):
        return (c.period_start or c.opens_on, c.due_on, c.pk)

    today = datetime.date.today()
    return sorted(
        (
            c
            for c in Campaign.objects.filter(form_id=campaign.form_id)
            if c.pk == campaign.pk or (c.opens_on <= today and order(c) < order(campaign))
        ),
        key=order,
    )


def field_counts(
    *, campaign: Campaign, user, territories: Sequence[Territory]
) -> tuple[pd.DataFrame | None, list[Column]]:
    """What the operators' filed household documents give for the campaign's period, per
    territory: counts only, never a name or a personal field."""
    if not (campaign.period_start and campaign.period_end):
        return None, []
    ids = [t.pk for t in territories]
    figures = field_indicators_by_territory(
        households=permissions.households_counted_for(user).filter(territory_id__in=ids),
        purged=permissions.purged_counts_for(user).filter(territory_id__in=ids),
        start=campaign.period_start,
        end=campaign.period_end,
    )
    counted = [Column("nb_menages_orientes", "Ménages orientés sur la période", INTEGER)] + [
        Column(i.key, i.label, INTEGER) for i in FIELD_INDICATORS
    ]
    frame = counts_frame(territories=territories, counts=figures, counted=counted)
    return frame, [*PLACE_COLUMNS, *counted]


def expected_answers(*, campaign: Campaign, territory_codes: Sequence[str]) -> int:
    """How many answers the campaign expects in those territories."""
    return (
        campaign_respondents(campaign=campaign).filter(territory__code__in=territory_codes).count()
    )


# ---------------------------------------------------------------------------------------
# What a person asked of the tables
# ---------------------------------------------------------------------------------------

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


def scope_status_counts(
    *, campaign: Campaign, user, territory_codes: list[str]
) -> tracker.TrackerCounts:
    """The tracker's counts over the territories of the tables (the filters included)."""
    followed = tracker.campaign_tracker(campaign=campaign, user=user)
    wanted = set(territory_codes)
    rows = [row for row in followed.rows if row.answer.organisation.territory.code in wanted]
    return tracker.tracker_counts(rows=rows)
