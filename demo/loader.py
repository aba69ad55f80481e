"""The entry point of the demo data: accounts, then answers, then households, in one go."""

from __future__ import annotations

from django.db import transaction

from demo.accounts import demo_accounts_load
from demo.answers import demo_answers_load
from demo.households import demo_households_load


@transaction.atomic
def demo_data_load(*, households: bool = True) -> int:
    """Creates the demo operators, accounts, answers and (unless ``households`` is False,
    as tests that do not need them ask) households that are missing; returns how many.

    Refuses to run unless the settings allow demo data (never in production).
    """
    created = demo_accounts_load() + demo_answers_load()
    return created + (demo_households_load() if households else 0)
