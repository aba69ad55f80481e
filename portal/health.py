"""/healthz: whether this process can serve, for a load balancer or an orchestrator. One
tiny query for the database, one read of each private storage (no write), and
the task worker's heartbeat when tasks go to a worker. No secrets, hostnames or counts."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.backends.immediate import ImmediateBackend

from portal.storage_health import storage_reachable
from portal.worker import youngest_heartbeat

logger = logging.getLogger(__name__)
OK = "ok"


def database_state() -> str:
    """« ok » when the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database")
        return "erreur"
    return OK


def storage_state() -> str:
    """« ok » when the private files' and the exports' storages answer (a HEAD of the
    bucket on object storage, the directory on disk: portal.storage_health)."""
    try:
        reachable = all(storage_reachable(alias) for alias in ("private", "exports"))
    except Exception:
        logger.exception("Health check: storage")
        return "erreur"
    return OK if reachable else "erreur"


def worker_state(*, now: datetime.datetime) -> str:
    """« inline » when tasks run in the request (no worker to wait for), else « ok » when a
    worker beat within PORTAL_WORKER_HEARTBEAT_MAX_AGE, « en retard » when the youngest
    beat is older, « absent » when no worker ever beat."""
    if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend):
        return "inline"
    try:
        beat_at = youngest_heartbeat()
    except Exception:
        logger.exception("Health check: worker heartbeat")
        return "absent"
    if beat_at is None:
        return "absent"
    max_age = datetime.timedelta(seconds=settings.PORTAL_WORKER_HEARTBEAT_MAX_AGE)
    return OK if now - beat_at <= max_age else "en retard"


@never_cache
@require_GET
def healthz(request):
    """200 when the database, the storage and (with a task worker) the worker are well;
    503 otherwise, with the same JSON saying which part is not."""
    checks = {
        "database": database_state(),
        "storage": storage_state(),
    }
    checks["worker"] = worker_state(now=timezone.now()) if checks["database"] == OK else "absent"
    healthy = checks["database"] == OK and checks["storage"] == OK
    healthy = healthy and checks["worker"] in (OK, "inline")
    response = JsonResponse({**checks, "status": OK if healthy else "erreur"})
    response.status_code = 200 if healthy else 503
    response["Cache-Control"] = "no-store"
    return response
