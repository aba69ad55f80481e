"""Time and SQL queries of the portal's heavy pages on a generated database (1× or 10×).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_data_10x \\
        .venv/bin/python bench/scale.py [--runs 5] [--zip-runs 1] [--campaign "Bilan d'étape 2022"]

The database is one ``manage.py generate_scale_data`` filled (it is read, and the audit
trail, the zips and their rows are written as the pages do). Each page is fetched by
Django's test client signed in as a person does (password, then the TOTP code), first once
to warm up, then ``--runs`` times in a row; the table gives the median and the fastest wall
time and the number of SQL queries of the median run. The campaign zip is built by the task
function itself (``build_document_export``), as the worker runs it. Prints; asserts nothing
but the status codes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
if "DATABASE_URL" not in os.environ:
    sys.exit("DATABASE_URL must name the generated database (see generate_scale_data).")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from documents.exports.campaign_zips import (  # noqa: E402
    build_document_export,
    exports_storage,
)
from documents.exports.models import DocumentExport, ExportStatus  # noqa: E402
from forms_app.models import Campaign, Household, Submission  # noqa: E402
from portal.models import Membership, Organisation, OrganisationKind, Role, Territory, User  # noqa: E402
from tests.signing import signed_in  # noqa: E402  (password, then the account's TOTP code)


@dataclass(frozen=True)
class Measure:
    label: str
    status: int
    median_ms: float
    fastest_ms: float
    queries: int
    size_kb: float


def measured(label: str, runs: int, fetch: Callable[[], tuple[int, int]]) -> Measure:
    """Runs ``fetch`` (returns status and body size) once to warm up, then ``runs`` times."""
    fetch()
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            status, size = fetch()
            elapsed = (time.perf_counter() - started) * 1000
        timings.append((elapsed, len(queries.captured_queries)))
    timings.sort()
    query_count = timings[len(timings) // 2][1]
    return Measure(
        label=label,
        status=status,
        median_ms=statistics.median(t for t, _ in timings),
        fastest_ms=timings[0][0],
        queries=query_count,
        size_kb=size / 1024,
    )


def page(client: Client, url: str) -> Callable[[], tuple[int, int]]:
    def fetch() -> tuple[int, int]:
        response = client.get(url)
        body = b"".join(response) if response.streaming else response.content
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        return response.status_code, len(body)

    return fetch


def zip_build(*, campaign: Campaign, user: User) -> Callable[[], tuple[int, int]]:
    """The campaign's national zip, built by the task's own function; the file goes after."""

    def fetch() -> tuple[int, int]:
        export = DocumentExport.objects.create(campaign=campaign, requested_by=user)
        build_document_export.call(export.pk)
        export.refresh_from_db()
        if export.status != ExportStatus.DONE:
            raise SystemExit(f"zip failed: {export.error}")
        storage = exports_storage()
        size = storage.size(export.file_name)
        storage.delete(export.file_name)
        return 200, size

    return fetch


def busiest_operator_agent() -> tuple[User, Household]:
    """The agent of the operator with the most households, and its household with the most
    documents: the list and the page at their heaviest."""
    busiest = (
        Household.objects.values("operator_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "operator_id")
        .first()
    )
    membership = (
        Membership.objects.filter(organisation_id=busiest["operator_id"], role=Role.AGENT)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    household = (
        Household.objects.filter(operator_id=busiest["operator_id"])
        .annotate(documents_count=Count("documents"))
        .order_by("-documents_count", "pk")
        .first()
    )
    return membership.user, household


def scale_figures() -> str:
    counts = {
        "territories": Territory.objects.count(),
        "operators": Organisation.objects.filter(kind=OrganisationKind.OPERATEUR).count(),
        "answers": Submission.objects.count(),
        "households": Household.objects.count(),
    }
    return ", ".join(f"{name}: {count}" for name, count in counts.items())


def measures_all(
    *, runs: int, zip_runs: int, campaign: Campaign, explain: int = 0
) -> list[Measure]:
    """Measures every target, or with ``explain`` prints the plans of their slowest queries."""
    agent, household = busiest_operator_agent()
    operator = signed_in(agent.email, HTTP_HOST="localhost")
    prefecture = signed_in("prefecture38@demo.test", HTTP_HOST="localhost")
    dihal = signed_in("dihal@demo.test", HTTP_HOST="localhost")
    dihal_user = User.objects.get(email="dihal@demo.test")
    tables = f"/suivi/campagnes/{campaign.pk}/tableaux"
    targets = [
        ("operator: household list", page(operator, "/menages/"), runs),
        ("operator: household page", page(operator, f"/menages/{household.pk}/"), runs),
        ("prefecture: Mon espace", page(prefecture, "/mon-espace/"), runs),
        ("prefecture: households overview", page(prefecture, "/suivi/menages/"), runs),
        ("DIHAL: households overview", page(dihal, "/suivi/menages/"), runs),
        ("DIHAL: campaign list", page(dihal, "/suivi/campagnes/"), runs),
        ("DIHAL: tracker (suivi)", page(dihal, f"/suivi/campagnes/{campaign.pk}/"), runs),
        ("DIHAL: consolidated page", page(dihal, f"{tables}/"), runs),
        ("DIHAL: national XLSX", page(dihal, f"{tables}.xlsx"), runs),
        ("DIHAL: Word report", page(dihal, f"{tables}/rapport.docx"), runs),
        ("task: campaign zip", zip_build(campaign=campaign, user=dihal_user), zip_runs),
    ]
    if explain:
        for label, fetch, _ in targets:
            slowest_explained(label, fetch, explain)
        return []
    return [measured(label, count, fetch) for label, fetch, count in targets]


def slowest_explained(label: str, fetch: Callable[[], tuple[int, int]], count: int) -> None:
    """Prints the ``count`` slowest SELECTs of one fetch with their EXPLAIN (ANALYZE, BUFFERS)."""
    with CaptureQueriesContext(connection) as queries:
        fetch()
    selects = [
        q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    ]
    selects.sort(key=lambda q: float(q["time"]), reverse=True)
    for query in selects[:count]:
        print(f"\n### {label} — {float(query['time']) * 1000:.1f} ms\n{query['sql'][:600]}")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")  # noqa: S608 - own SQL
            print("\n".join(row[0] for row in cursor.fetchall()))


def table_print(measures: list[Measure]) -> None:
    print(f"| {'what':<34} | status | median ms | fastest ms | queries | size kB |")
    print(f"|{'-' * 36}|--------|-----------|------------|---------|---------|")
    for m in measures:
        print(
            f"| {m.label:<34} | {m.status:>6} | {m.median_ms:>9.0f} | {m.fastest_ms:>10.0f} "
            f"| {m.queries:>7} | {m.size_kb:>7.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--zip-runs", type=int, default=1)
    parser.add_argument("--campaign", default="Bilan d'étape 2022")
    parser.add_argument(
        "--explain", type=int, default=0, help="print the plans of each page's N slowest SELECTs"
    )
    args = parser.parse_args()
    campaign = Campaign.objects.get(title=args.campaign)
    database = connection.settings_dict["NAME"]
    print(f"Database {database} ({scale_figures()}); campaign « {campaign} »; {args.runs} runs")
    measures = measures_all(
        runs=args.runs, zip_runs=args.zip_runs, campaign=campaign, explain=args.explain
    )
    if measures:
        table_print(measures)


if __name__ == "__main__":
    main()
