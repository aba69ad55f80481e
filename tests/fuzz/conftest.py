"""Fuzzing's settings and its count of examples.

Two hypothesis profiles: « ci » (the default: a bounded, derandomised run so the suite
stays fast and gives the same examples each time) and « fuzz » (many more random
examples), chosen by ``HYPOTHESIS_PROFILE`` (``make fuzz`` sets « fuzz »). Neither keeps a
``.hypothesis`` example database.

Each target counts the examples it ran (those hypothesis replays to shrink a failure
included) and the server errors it met (``FuzzCount``); the
end of the run prints one line per target: ``fuzz: <target> <n> examples, <e> server
errors (<database>)``."""

from __future__ import annotations

import os
from collections import defaultdict

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings

_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_CHECKS,
    print_blob=False,
)
settings.register_profile(
    "fuzz",
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=_CHECKS,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

COUNTS: dict[str, list[int]] = defaultdict(lambda: [0, 0])
DATABASES: set[str] = set()


class FuzzCount:
    """``count.example()`` once per example; ``count.response(r)`` for each response: a
    server error is counted (and then fails the example)."""

    def __init__(self, target: str):
        self.target = target

    def example(self) -> None:
        COUNTS[self.target][0] += 1
        DATABASES.add(connection.vendor)

    def response(self, response) -> None:
        if response.status_code >= 500:
            COUNTS[self.target][1] += 1


@pytest.fixture
def fuzz_count(request):
    """The counter of the running test (its name, parameters included)."""
    return FuzzCount(request.node.name.removeprefix("test_"))


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    where = ", ".join(sorted(DATABASES)) or "?"
    profile = settings._current_profile
    terminalreporter.section(f"fuzz ({where}, profile {profile})")
    for target, (examples, errors) in sorted(COUNTS.items()):
        terminalreporter.write_line(f"fuzz: {target} {examples} examples, {errors} server errors")
