"""The consolidated tables' page kept between requests: the HTML of its parts computed from
the filed answers (the scope's line, figures, charts and tables, the files to download),
under a key naming everything they are computed from (:func:`tables_key`).

Computing them reads every filed answer of the scope with pandas and renders tables of
hundreds of cells: most of a page's cost, the same for everyone of the same scope until an
answer is transmitted, returned or accepted. The key holds the viewer's scope (which answers
they may see, which territories they follow: two people of different scope never share an
entry), what they asked (filters and sort) and a stamp of the form's filed answers, its
campaigns, versions and rules (any change makes a new key: nothing to invalidate). What moves
between those events stays out of the cache: the answers' status (drafts, lateness) and the
household counts.

Imports ``selectors``; never a page, a file or the report.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Sum

from documents.consolidation.models import ConsolidationRules
from documents.consolidation.selectors import FILED_STATUSES, ConsolidationScope
from forms_app.models import Campaign, FormVersion, Submission
from portal import permissions

KEY_PREFIX = "consolidation-tables:v1:"
# Bounds what the key does not name (a territory or an organisation renamed by a content load).
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class CachedTables:
    """The cached parts of the page, and what the rest of the page needs from them."""

    html: dict[str, str]  # part name → rendered HTML
    territory_codes: list[str]  # the territories the tables cover (for the answers' status)


def viewer_scope(*, user, scope: ConsolidationScope) -> tuple:
    """What decides the answers a person's tables read: DIHAL or not, the organisations
    they answer for, the territories they follow (``portal.permissions``)."""
    return (
        permissions.is_dihal_member(user),
        tuple(sorted(permissions.respondent_organisations(user).values_list("pk", flat=True))),
        tuple(sorted(t.pk for t in scope.territories)),
    )


def answers_stamp(*, campaign: Campaign) -> tuple:
    """Changes whenever the tables would: a filed answer of the form's campaigns transmitted,
    returned, accepted or deleted (their count, latest change and sum of revisions: every
    transition adds a revision), a campaign of the form changed, a version published, the
    rules edited, or a new day (the campaigns compared are those opened by today)."""
    filed = Submission.objects.filter(
        campaign__form_id=campaign.form_id, status__in=FILED_STATUSES
    ).aggregate(count=Count("pk"), last=Max("updated_at"), revisions=Sum("revision"))
    campaigns = tuple(
        Campaign.objects.filter(form_id=campaign.form_id)
        .order_by("pk")
        .values_list("pk", "title", "opens_on", "due_on", "period_start", "period_end")
    )
    version = FormVersion.objects.filter(form_id=campaign.form_id).aggregate(last=Max("pk"))
    rules = ConsolidationRules.objects.filter(form_id=campaign.form_id).values_list(
        "updated_at", flat=True
    )
    return (
        tuple(sorted(filed.items())),
        campaigns,
        version["last"],
        tuple(rules),
        datetime.date.today(),
    )


def tables_key(*, campaign: Campaign, user, scope: ConsolidationScope, sort) -> str:
    """The cache key of one campaign's tables for this viewer, these filters and this sort."""
    named = (
        campaign.pk,
        viewer_scope(user=user, scope=scope),
        (scope.level, scope.region, scope.territory_code),
        repr(sort),
        answers_stamp(campaign=campaign),
    )
    return KEY_PREFIX + hashlib.sha256(repr(named).encode()).hexdigest()


def cached_tables(*, key: str, render: Callable[[], CachedTables]) -> CachedTables:
    """The parts under ``key``, rendered and kept when absent."""
    found = cache.get(key)
    if found is None:
        found = render()
        cache.set(key, found, CACHE_SECONDS)
    return found
