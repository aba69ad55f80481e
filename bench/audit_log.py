"""Access trail: inserts N rows into a scratch SQLite database (or DATABASE_URL), then times
the admin journal's filtered count and first page, and the CSV export of every row; prints
the figures.

    .venv/bin/python bench/audit_log.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
SCRATCH = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SCRATCH}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.http import QueryDict  # noqa: E402

from portal import audit_log  # noqa: E402
from portal.models import AuditAction, AuditEntry  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    call_command("migrate", verbosity=0)
    actions = list(AuditAction.values)
    started = time.perf_counter()
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                user_email=f"agent{i % 300}@demo.test",
                role="Agent (remplit les formulaires)",
                organisation=f"Opérateur {i % 60}",
                territory_code=f"{10 + i % 26}",
                action=actions[i % len(actions)],
                household_reference=f"38-{i:06d}",
                path=f"/menages/{i}/",
                ip="203.0.113.7",
            )
            for i in range(rows)
        ),
        batch_size=5000,
    )
    print(f"{rows} rows inserted in {time.perf_counter() - started:.2f} s")
    form = audit_log.AuditLogFilterForm(QueryDict("personne=agent7@&action=modification"))
    started = time.perf_counter()
    entries = audit_log.audit_entries_filtered(entries=audit_log.audit_entries_all(), form=form)
    count = entries.count()
    first_page = list(entries[:50])
    print(
        f"filtered journal (personne agent7@, modification): {count} rows counted, "
        f"first page of {len(first_page)} in {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    started = time.perf_counter()
    content = audit_log.audit_entries_csv(entries=audit_log.audit_entries_all())
    elapsed = time.perf_counter() - started
    print(
        f"CSV export of {rows} rows: {len(content) / 1e6:.1f} MB in {elapsed:.2f} s "
        f"({rows / elapsed:,.0f} rows/s)"
    )
    SCRATCH.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
