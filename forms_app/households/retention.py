"""Retention of households: when a closed case file is due for deletion, which ones are
due now, the notice sent to operators before they go, and the anonymous counts written
before they are deleted. The purge itself (forms_app.retention) deletes what this module
says is due.

A household is kept ``retention_months`` after its case was closed: the longest of its
documents' forms (FormSettings), the default when it has none. It is never deleted less
than PORTAL_RETENTION_NOTICE_DAYS after its operator was told. Before deleting households,
their contribution to every campaign period's counters is written as anonymous counts
(``PurgedHouseholdCounts``), which ``forms_app.households.indicators`` adds back.
"""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Max, QuerySet
from django.template.loader import render_to_string
from django.utils import translation

from forms_app.households.indicators import household_figures_by
from forms_app.models import (
    Campaign,
    Household,
    HouseholdStatus,
    PurgedHouseholdCounts,
    Submission,
)
from forms_app.models.forms import DEFAULT_HOUSEHOLD_RETENTION_MONTHS
from portal.models import Organisation, Role, User

RETENTION_PATH = "form_version__form__advanced_settings__retention_months"


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """``moment`` ``months`` later, the day clamped to the month's last (31/08 + 6 → 28/02)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _notice() -> datetime.timedelta:
    return datetime.timedelta(days=settings.PORTAL_RETENTION_NOTICE_DAYS)


def retention_months(*, households: list[Household]) -> dict[int, int]:
    """Each household's retention in months: its documents' longest, else the default."""
    longest = dict(
        Submission.objects.filter(household__in=households)
        .values("household_id")
        .annotate(months=Max(RETENTION_PATH))
        .values_list("household_id", "months")
    )
    return {h.pk: longest.get(h.pk) or DEFAULT_HOUSEHOLD_RETENTION_MONTHS for h in households}


def purge_due_at(*, household: Household, months: int) -> datetime.datetime | None:
    """When the household will be deleted: its retention after closing, and never less
    than the notice period after the notice; None while the case is open."""
    if household.status != HouseholdStatus.CLOS or household.closed_at is None:
        return None
    due = add_months(household.closed_at, months)
    if household.purge_notice_sent_at is not None:
        due = max(due, household.purge_notice_sent_at + _notice())
    return due


def household_purge_due_at(*, household: Household) -> datetime.datetime | None:
    """``purge_due_at`` for one household (its detail page); no query for an open case."""
    if household.status != HouseholdStatus.CLOS or household.closed_at is None:
        return None
    months = retention_months(households=[household])[household.pk]
    return purge_due_at(household=household, months=months)


def _closed_households() -> list[Household]:
    return list(
        Household.objects.filter(status=HouseholdStatus.CLOS, closed_at__isnull=False)
        .select_related("operator")
        .order_by("operator_id", "reference")
    )


def expired_households(*, now: datetime.datetime) -> list[Household]:
    """Closed households whose retention has passed and whose operator was told at least
    the notice period ago."""
    closed = _closed_households()
    months = retention_months(households=closed)
    return [
        household
        for household in closed
        if household.purge_notice_sent_at is not None
        and (due := purge_due_at(household=household, months=months[household.pk])) is not None
        and due <= now
    ]


def households_to_warn(*, now: datetime.datetime) -> list[Household]:
    """Closed households due for deletion within the notice period whose operator has not
    been told yet."""
    closed = [h for h in _closed_households() if h.purge_notice_sent_at is None]
    months = retention_months(households=closed)
    return [
        household
        for household in closed
        if purge_due_at(household=household, months=months[household.pk]) - _notice() <= now
    ]


# ---------------------------------------------------------------------------------------
# Notice
# ---------------------------------------------------------------------------------------


def operator_recipients(operator: Organisation) -> list[User]:
    """Who hears of a deletion: the operator's active responsables and agents."""
    return list(
        User.objects.filter(
            memberships__organisation=operator,
            memberships__role__in=[Role.RESPONSABLE, Role.AGENT],
            is_active=True,
        )
        .exclude(email="")
        .distinct()
        .order_by("email")
    )


def purge_notices_send(*, now: datetime.datetime, dry_run: bool = False) -> int:
    """E-mails each operator the references (never names) of its households to be deleted
    within the notice period, with the date, once: returns how many households were
    announced."""
    to_warn = households_to_warn(now=now)
    if dry_run or not to_warn:
        return len(to_warn)
    months = retention_months(households=to_warn)
    by_operator: dict[int, list[Household]] = {}
    for household in to_warn:
        by_operator.setdefault(household.operator_id, []).append(household)
    messages = []
    for batch in by_operator.values():
        operator = batch[0].operator
        rows = [
            (h.reference, max(add_months(h.closed_at, months[h.pk]), now + _notice()))
            for h in batch
        ]
        context = {"operator": operator, "rows": rows, "site_name": settings.WAGTAIL_SITE_NAME}
        with translation.override("fr"):
            body = render_to_string("forms_app/emails/purge_notice.txt", context)
        subject = f"Suppression prochaine de {len(rows)} dossier{'s' if len(rows) > 1 else ''}"
        messages += [
            EmailMessage(subject=subject, body=body, to=[recipient.email])
            for recipient in operator_recipients(operator)
        ]
    Household.objects.filter(pk__in=[h.pk for h in to_warn]).update(purge_notice_sent_at=now)
    if messages:
        get_connection().send_messages(messages)
    return len(to_warn)


# ---------------------------------------------------------------------------------------
# Anonymous counts
# ---------------------------------------------------------------------------------------


def anonymous_counts_write(*, households: QuerySet[Household], now: datetime.datetime) -> int:
    """Writes what ``households`` give to every campaign period's counters, per operator
    and territory, before they are deleted; returns the rows written."""
    periods = (
        Campaign.objects.filter(period_start__isnull=False, period_end__isnull=False)
        .values_list("period_start", "period_end")
        .distinct()
    )
    # Per household, then summed per operator and territory: the counters are additive
    # over disjoint households, a split by one column would not give the pair.
    place_of = {pk: (o, t) for pk, o, t in households.values_list("pk", "operator", "territory")}
    rows = []
    for start, end in periods:
        figures = household_figures_by(households=households, start=start, end=end, by="pk")
        grouped: dict[tuple[int, int], dict[str, int]] = {}
        for pk, counts in figures.items():
            into = grouped.setdefault(place_of[pk], {})
            for key, value in counts.items():
                into[key] = into.get(key, 0) + value
        rows += [
            PurgedHouseholdCounts(
                operator_id=operator_id,
                territory_id=territory_id,
                period_start=start,
                period_end=end,
                counts=counts,
                purged_at=now,
            )
            for (operator_id, territory_id), counts in grouped.items()
            if any(counts.values())
        ]
    PurgedHouseholdCounts.objects.bulk_create(rows)
    return len(rows)
