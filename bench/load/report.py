"""Runs locust headless as a child process and reports its figures: per-page p50/p95/p99,
errors, requests/s, the load generator's own CPU and the machine's load average; a JSON
summary beside locust's CSV files under var/load/."""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.load.portal_client import loopback_only

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "var" / "load"
LOCUST = ROOT / ".venv" / "bin" / "locust"


@dataclass(frozen=True)
class PageFigures:
    method: str
    name: str
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rps: float


def figures_read(stats_csv: Path) -> list[PageFigures]:
    """locust's ``*_stats.csv``: one row per named request, the last one « Aggregated »."""
    with stats_csv.open(encoding="utf-8") as handle:
        return [
            PageFigures(
                method=row["Type"],
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                p50_ms=float(row["50%"] or 0),
                p95_ms=float(row["95%"] or 0),
                p99_ms=float(row["99%"] or 0),
                rps=float(row["Requests/s"] or 0),
            )
            for row in csv.DictReader(handle)
        ]


def exceptions_count(exceptions_csv: Path) -> int:
    """How many times the simulated people hit an exception (``*_exceptions.csv``)."""
    if not exceptions_csv.exists():
        return 0
    with exceptions_csv.open(encoding="utf-8") as handle:
        return sum(int(row["Count"]) for row in csv.DictReader(handle))


def table_print(rows: list[PageFigures]) -> None:
    print(f"{'requête':<52} {'nb':>6} {'err':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'req/s':>7}")
    for row in rows:
        label = f"{row.method} {row.name}".strip()[:52]
        print(
            f"{label:<52} {row.requests:>6} {row.failures:>5} {row.p50_ms:>7.0f} "
            f"{row.p95_ms:>7.0f} {row.p99_ms:>7.0f} {row.rps:>7.1f}"
        )


def locust_run(
    *, scenario: str, base_url: str, locustfile: str, options: list[str], env: dict[str, str]
) -> dict:
    """Runs one locust scenario to its end; returns the summary (also written as JSON)."""
    loopback_only(base_url)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    prefix = OUT_DIR / scenario
    command = [str(LOCUST), "-f", locustfile, "--headless", "--host", base_url]
    command += ["--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", *options]
    load_before = os.getloadavg()
    started = time.monotonic()
    completed = subprocess.run(  # noqa: S603 - our own locust, arguments built here
        command, cwd=ROOT, env={**os.environ, **env}, check=False
    )
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    rows = figures_read(Path(f"{prefix}_stats.csv"))
    total = rows[-1]
    exceptions = exceptions_count(Path(f"{prefix}_exceptions.csv"))
    summary = {
        "scenario": scenario,
        "base_url": base_url,
        "locust_exit_code": completed.returncode,
        "duration_s": round(wall, 1),
        "requests": total.requests,
        "errors": total.failures + exceptions,
        "failed_requests": total.failures,
        "exceptions": exceptions,
        "rps": total.rps,
        "p50_ms": total.p50_ms,
        "p95_ms": total.p95_ms,
        "p99_ms": total.p99_ms,
        "locust_cpu_percent": round(100 * (usage.ru_utime + usage.ru_stime) / wall, 1),
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "cpu_count": os.cpu_count(),
        "pages": [asdict(row) for row in rows[:-1]],
    }
    table_print(rows)
    print(
        f"\n{scenario} : {total.requests} requêtes, {total.failures} en échec, "
        f"{exceptions} exception(s) (connexions refusées, pages inattendues), "
        f"{total.rps:.1f} req/s ; p50 {total.p50_ms:.0f} ms, p95 {total.p95_ms:.0f} ms, "
        f"p99 {total.p99_ms:.0f} ms"
    )
    print(
        f"générateur de charge (locust, 1 processus, même machine) : "
        f"{summary['locust_cpu_percent']} % d'un cœur ; charge de la machine avant "
        f"{summary['load_average_before']}, après {summary['load_average_after']} "
        f"({summary['cpu_count']} cœurs)"
    )
    return summary


def summary_write(summary: dict) -> Path:
    path = OUT_DIR / f"{summary['scenario']}-summary.json"
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"résumé : {path.relative_to(ROOT)}")
    return path


def exit_code(summary: dict) -> int:
    """Non-zero when locust itself failed to run (errors are figures, not a crash)."""
    if summary["requests"] == 0:
        print("Aucune requête : le portail tourne-t-il (make prod-local) ?", file=sys.stderr)
        return 1
    return 0
