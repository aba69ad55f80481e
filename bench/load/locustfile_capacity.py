"""The capacity scenario, for locust (`make load-capacity`): the portal's mix of
bench/load/locustfile.py with short waits, users added step by step until the p95 of the
last 10 s passes 1 s; then, on the same processes, the bare base template alone the same
way. The requests/s where each crossed goes to LOAD_CAPACITY_OUT (JSON).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from locust import HttpUser, LoadTestShape, between, events, task

from bench.load.locustfile import DihalUser, OperatorUser, PrefectureUser, client_ip_next
from bench.load.portal_client import PortalClient

BARE_NAME = "page nue (gabarit de base)"
LIMIT_MS = float(os.environ.get("LOAD_P95_LIMIT_MS", 1000))
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", 30))
STEP_USERS = int(os.environ.get("LOAD_STEP_USERS", 10))
MAX_USERS = int(os.environ.get("LOAD_MAX_USERS", 300))
OUT = Path(os.environ.get("LOAD_CAPACITY_OUT", "var/load/capacity-points.json"))


class BareUser(HttpUser):
    """The yardstick: anonymous requests of the bare base template (/_charge/base/); short
    waits, so that few simulated people saturate the processes."""

    wait_time = between(0.1, 0.3)

    def on_start(self) -> None:
        self.portal = PortalClient(self.client, base_url=self.host, client_ip=client_ip_next())

    @task
    def bare_page(self) -> None:
        self.portal.get("/_charge/base/", name=BARE_NAME)


PHASES = (
    ("portail", [PrefectureUser, OperatorUser, DihalUser], None),
    ("page nue", [BareUser], BARE_NAME),
)


class CapacityShape(LoadTestShape):
    """Adds STEP_USERS people every STEP_SECONDS; at the end of each step, reads the p95 of
    the last 10 s (the whole portal, then the bare page's own entry) and moves on to the next
    phase when it passes LIMIT_MS (or MAX_USERS is reached)."""

    def __init__(self) -> None:
        super().__init__()
        self.phase = 0
        self.phase_start = 0.0
        self.checked_step = 0
        self.points: list[dict] = []

    def entry(self):
        stats = self.runner.stats
        name = PHASES[self.phase][2]
        return stats.total if name is None else stats.get(name, "GET")

    def tick(self):
        if self.phase >= len(PHASES):
            return None
        elapsed = self.get_run_time() - self.phase_start
        step = int(elapsed // STEP_SECONDS)
        users = STEP_USERS * (step + 1)
        if step > self.checked_step:
            self.checked_step = step
            entry = self.entry()
            p95 = entry.get_current_response_time_percentile(0.95) or 0
            reached = users - STEP_USERS
            if p95 > LIMIT_MS or reached >= MAX_USERS:
                self.points.append(
                    {
                        "phase": PHASES[self.phase][0],
                        "users": reached,
                        "p95_ms": p95,
                        "rps": round(entry.current_rps, 1),
                        "limit_reached": p95 > LIMIT_MS,
                    }
                )
                points_write(self.points)
                self.phase += 1
                self.phase_start = self.get_run_time()
                self.checked_step = 0
                if self.phase >= len(PHASES):
                    return None
                return (STEP_USERS, 100, PHASES[self.phase][1])
        # Sign-ins spread over the first 10 s of a step; its last 10 s are the ones measured.
        return (users, max(STEP_USERS / 10, 1), PHASES[self.phase][1])


def points_write(points: list[dict]) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(points, indent=2), encoding="utf-8")


@events.test_start.add_listener
def points_reset(**_kwargs) -> None:
    points_write([])
