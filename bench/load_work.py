"""« Au travail »: 100 people signed in, 5–15 s between their actions, on the running
`make prod-local` (127.0.0.1 only). Prints p50/p95/p99, errors and requests/s per page;
summary in var/load/au-travail-summary.json. Goal (issue 14): p95 ≤ 300 ms, 0 errors.

    .venv/bin/python bench/load_work.py --base-url http://127.0.0.1:8050 [--users 100]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load.report import exit_code, locust_run, summary_write  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8050")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=1.0, help="people signing in per s")
    parser.add_argument("--run-time", default="4m", help="ramp-up included (100 s at 1/s)")
    arguments = parser.parse_args()
    summary = locust_run(
        scenario="au-travail",
        base_url=arguments.base_url,
        locustfile="bench/load/locustfile.py",
        options=[
            *("--users", str(arguments.users), "--spawn-rate", str(arguments.spawn_rate)),
            *("--run-time", arguments.run_time, "--stop-timeout", "20"),
        ],
        env={"LOAD_WAIT_MIN": "5", "LOAD_WAIT_MAX": "15"},
    )
    summary["users"] = arguments.users
    summary["goal"] = {"p95_ms": 300, "errors": 0}
    summary["goal_met"] = summary["p95_ms"] <= 300 and summary["errors"] == 0
    print(
        "objectif p95 ≤ 300 ms et 0 erreur : "
        + ("atteint" if summary["goal_met"] else "NON atteint")
    )
    summary_write(summary)
    return exit_code(summary)


if __name__ == "__main__":
    sys.exit(main())
