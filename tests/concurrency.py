"""Calls made at the same moment, each in its own thread (so on its own database
connection): what the concurrency tests of both databases stand on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def at_once(calls: list[Callable[[], Any]]) -> tuple[list[Any], list[Exception]]:
    """Runs ``calls`` together behind a barrier; returns what they returned and what they
    raised (the test inspects what each side got)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[Exception] = []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # noqa: BLE001 - the test inspects what each side got
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
