"""« Capacité »: people added step by step (short waits) until the p95 of the last 10 s
passes 1 s, first on the portal's mix, then on the bare base template, same processes, same
run; prints the requests/s at each crossing and their ratio (the figure that holds across
machines). Summary in var/load/capacite-summary.json.

    .venv/bin/python bench/load_capacity.py --base-url http://127.0.0.1:8050
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load.report import OUT_DIR, exit_code, locust_run, summary_write  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8050")
    parser.add_argument("--step-users", type=int, default=10)
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument("--max-users", type=int, default=300)
    parser.add_argument("--run-time", default="30m", help="upper bound of the whole run")
    arguments = parser.parse_args()
    points_file = OUT_DIR / "capacite-points.json"
    summary = locust_run(
        scenario="capacite",
        base_url=arguments.base_url,
        locustfile="bench/load/locustfile_capacity.py",
        options=["--run-time", arguments.run_time, "--stop-timeout", "10"],
        env={
            "LOAD_WAIT_MIN": "1",
            "LOAD_WAIT_MAX": "3",
            "LOAD_STEP_USERS": str(arguments.step_users),
            "LOAD_STEP_SECONDS": str(arguments.step_seconds),
            "LOAD_MAX_USERS": str(arguments.max_users),
            "LOAD_CAPACITY_OUT": str(points_file),
        },
    )
    points = json.loads(points_file.read_text(encoding="utf-8")) if points_file.exists() else []
    summary["points"] = points
    for point in points:
        crossed = "p95 > 1 s" if point["limit_reached"] else "plafond d'utilisateurs atteint"
        print(
            f"{point['phase']:<9}: {point['rps']:.1f} req/s à {point['users']} utilisateurs "
            f"(p95 des 10 dernières s : {point['p95_ms']:.0f} ms, {crossed})"
        )
    by_phase = {point["phase"]: point for point in points}
    if {"portail", "page nue"} <= set(by_phase) and by_phase["page nue"]["rps"]:
        summary["ratio_portal_to_bare"] = round(
            by_phase["portail"]["rps"] / by_phase["page nue"]["rps"], 3
        )
        print(f"rapport req/s portail / page nue : {summary['ratio_portal_to_bare']}")
    else:
        print("rapport non calculé : une des deux phases n'a pas abouti.", file=sys.stderr)
    summary_write(summary)
    return exit_code(summary) or (0 if "ratio_portal_to_bare" in summary else 1)


if __name__ == "__main__":
    sys.exit(main())
