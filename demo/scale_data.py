"""The scale data: the demo at 1×, or 101 départements and ten times its households at 10×.

``scale_data_generate`` runs the steps in order: territories and operators, accounts (one
password hash for all, TOTP secrets known to the load test), the third year's campaign
(« Bilan d'étape 2023 »), the demo's answers for every prefecture (``demo.answers``: the
same plans, checked by the answer form and stored through the lifecycle services, so the
consolidated tables add up), the demo's households, then copies of them to reach ``scale``
times the demo's count (``demo.scale_households``).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from demo.accounts import demo_accounts_load
from demo.answer_content import demo_content
from demo.answers import demo_answers_load
from demo.households import demo_households_load
from demo.scale_accounts import (
    accounts_file_write,
    operators_fill,
    scale_accounts_create,
    territories_extend,
)
from demo.scale_households import households_copy
from demo.teams import THIRD_YEAR
from forms_app.models import Campaign, ContactAttempt, Household, Submission
from portal.models import Membership, Organisation, Territory

SCALES = (1, 10, 30, 100, 300)
DEMO_HOUSEHOLDS = 100  # what load_demo_data makes at its three operators


@dataclass
class ScaleReport:
    lines: list[str] = field(default_factory=list)


def third_year_campaign() -> Campaign:
    """« Bilan d'étape 2023 »: the 2022 bilan's form, one year later."""
    titles = demo_content().campaigns.bilans
    existing = Campaign.objects.filter(title=titles[THIRD_YEAR]).first()
    if existing is not None:
        return existing
    previous = Campaign.objects.get(title=titles[THIRD_YEAR - 1])
    return Campaign.objects.create(
        form=previous.form,
        title=titles[THIRD_YEAR],
        opens_on=_year_later(previous.opens_on),
        due_on=_year_later(previous.due_on),
        period_start=_year_later(previous.period_start),
        period_end=_year_later(previous.period_end),
    )


def _year_later(day: datetime.date | None) -> datetime.date | None:
    return day.replace(year=day.year + 1) if day else None


@transaction.atomic
def scale_data_generate(
    *, scale: int, accounts_file: Path, progress: Callable[[str], None]
) -> dict[str, int]:
    """Generates the data of ``scale`` over what exists; returns the totals. Above 1 the
    territories are the 101 départements; the households are ``scale`` times the demo's."""
    if not getattr(settings, "PORTAL_DEMO_DATA_ENABLED", False):
        raise ImproperlyConfigured("Demo data is disabled by these settings.")
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale}.")
    started = time.monotonic()

    def step(text: str) -> None:
        progress(f"[{time.monotonic() - started:6.1f} s] {text}")

    demo_accounts_load()
    if scale > 1:
        step(f"Départements créés : {territories_extend()}")
        territories = list(Territory.objects.order_by("code"))
        step(f"Opérateurs créés : {operators_fill(territories=territories)}")
    else:
        territories = list(Territory.objects.order_by("code"))
    accounts = scale_accounts_create(territories=territories)
    accounts_file_write(path=accounts_file, accounts=accounts)
    step(f"Comptes : {len(accounts)} (liste écrite dans {accounts_file})")
    third_year_campaign()
    step(f"Réponses aux campagnes créées : {demo_answers_load()}")
    step(f"Ménages de démonstration créés : {demo_households_load()}")
    copied = households_copy(target_total=DEMO_HOUSEHOLDS * scale, progress=step)
    step(
        f"Ménages copiés : {copied.households} (contacts {copied.contacts}, "
        f"documents {copied.documents})"
    )
    households = Household.objects.count()
    if households < DEMO_HOUSEHOLDS * scale:
        step(
            f"Attention : {households} ménages au lieu de {DEMO_HOUSEHOLDS * scale} ; les "
            "copies ne vont qu'aux opérateurs sans ménage : partez d'une base neuve."
        )
    return scale_totals()


def planner_statistics_refresh() -> None:
    """ANALYZE on PostgreSQL: rows written in bulk are unknown to the planner until
    autovacuum passes, and plans measured before would be the plans of empty tables."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def scale_totals() -> dict[str, int]:
    """What the database holds, as the command prints it."""
    return {
        "territoires": Territory.objects.count(),
        "organisations": Organisation.objects.count(),
        "comptes (appartenances)": Membership.objects.count(),
        "campagnes": Campaign.objects.count(),
        "réponses aux campagnes": Submission.objects.filter(campaign__isnull=False).count(),
        "ménages": Household.objects.count(),
        "contacts": ContactAttempt.objects.count(),
        "documents de ménages": Submission.objects.filter(household__isnull=False).count(),
    }
