"""Time and query count of the portal's busiest pages, signed in as the demo's people, in one
process with Django's test client; prints the figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_perf_demo \\
        .venv/bin/python bench/pages.py [-n 30] [--only tracker] [--profile consolidation]

Runs on a database holding the demo data (``load_portal_content`` then ``load_demo_data``),
never a test one; each sign-in adds a session row, nothing else is changed except the access
trail's rows of the household page. Settings are the dev ones with ``DEBUG`` off (templates
cached, as in production; the cache is the local-memory one). For every page: a warm-up, then
N sequential requests; wall time (median, p95) and this process's CPU time (median: the part
a web worker spends, the database's own work excluded), and the queries of one request.
``--profile NAME`` prints the cProfile of N requests to that page instead (top functions by
cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
os.environ["DEBUG"] = "false"
os.environ["ALLOWED_HOSTS"] = "testserver"
if "DATABASE_URL" not in os.environ:
    sys.exit("DATABASE_URL: a database holding the demo data (see the docstring).")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from forms_app.models import Campaign  # noqa: E402
from portal import permissions  # noqa: E402
from portal.models import User  # noqa: E402
from tests.signing import sign_in, signed_in  # noqa: E402

DIHAL = "dihal@demo.test"
PREFECTURE = "prefecture38@demo.test"
OPERATOR = "operateur38a@demo.test"


@dataclass(frozen=True)
class Page:
    """One measured request: ``run`` makes it and returns the response's status code."""

    name: str
    run: Callable[[], int]
    expected_status: int = 200


def _get(client: Client, path: str) -> Callable[[], int]:
    return lambda: client.get(path).status_code


def _sign_in() -> int:
    """The login POST then the code's POST, on a new client (a new session each time);
    the sign-out after it (timed too, a few ms) keeps the person's open sessions as they
    were, since a sign-in reads every one of them (allauth.usersessions)."""
    client = Client()
    status = sign_in(client, PREFECTURE).status_code
    client.post(reverse("account_logout"))
    return status


def _busiest_campaign() -> Campaign:
    """The campaign with the most answers: the tracker's and the tables' heaviest page."""
    return (
        Campaign.objects.annotate(answers=Count("submissions")).order_by("-answers", "pk").first()
    )


def pages() -> list[Page]:
    """The measured pages, with their clients signed in once."""
    dihal, prefecture, operator = signed_in(DIHAL), signed_in(PREFECTURE), signed_in(OPERATOR)
    household = (
        permissions.households_followed_by(User.objects.get(email=OPERATOR)).order_by("pk").first()
    )
    campaign = _busiest_campaign()
    return [
        Page("home", _get(Client(), "/")),
        Page("login page", _get(Client(), reverse("account_login"))),
        Page("sign-in", _sign_in, expected_status=302),
        Page("mon espace (prefecture)", _get(prefecture, reverse("portal:mon_espace"))),
        Page("household list", _get(operator, reverse("forms_app:household_list"))),
        Page(
            "household page",
            _get(operator, reverse("forms_app:household_detail", args=[household.pk])),
        ),
        Page(
            "tracker (DIHAL)",
            _get(dihal, reverse("forms_app:campaign_answers", args=[campaign.pk])),
        ),
        Page(
            "consolidation (DIHAL)",
            _get(dihal, reverse("documents:consolidation", args=[campaign.pk])),
        ),
        Page(
            "consolidation (prefecture)",
            _get(prefecture, reverse("documents:consolidation", args=[campaign.pk])),
        ),
    ]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(page: Page, *, count: int) -> str:
    """One line of figures for ``count`` requests after a warm-up."""
    status = page.run()
    if status != page.expected_status:
        return f"{page.name:28} status {status}, expected {page.expected_status}"
    with CaptureQueriesContext(connection) as queries:
        page.run()
    query_count = len(queries.captured_queries)  # the log is reset by the next request
    walls, cpus = [], []
    for _ in range(count):
        wall, cpu = time.perf_counter(), time.process_time()
        page.run()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return (
        f"{page.name:28} {statistics.median(walls):8.1f} {percentile(walls, 0.95):8.1f} "
        f"{statistics.median(cpus):8.1f} {query_count:8d}"
    )


def profile(page: Page, *, count: int) -> None:
    page.run()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        page.run()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=30, help="requests per page")
    parser.add_argument("--only", help="pages whose name contains this")
    parser.add_argument("--profile", help="cProfile the first page whose name contains this")
    args = parser.parse_args()
    chosen = pages()
    if args.profile:
        profile(next(p for p in chosen if args.profile in p.name), count=args.n)
        return
    print(f"{'page':28} {'med ms':>8} {'p95 ms':>8} {'cpu ms':>8} {'queries':>8}")
    for page in chosen:
        if args.only and args.only not in page.name:
            continue
        print(measure(page, count=args.n if page.name != "sign-in" else max(args.n // 5, 3)))


if __name__ == "__main__":
    main()
