"""One JSON line per request, and the request id (portal.logs) every line of the request
carries: the caller's X-Request-ID when well formed (a proxy's, a load balancer's), a new one
otherwise; sent back in the response's X-Request-ID header.

First in MIDDLEWARE, so that every response has the header and every line logged while the
request runs (Django's own error lines included) has the id. The duration is the time to the
response object: a streamed download's body is sent after it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from portal.logs import (
    REQUEST_ID_HEADER,
    new_request_id,
    request_id_var,
    well_formed_request_id,
)

logger = logging.getLogger("portal.request")


def request_user_id(request: HttpRequest) -> int | None:
    """The signed-in person's id (never their e-mail address), or None."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return user.pk


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = (
            well_formed_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        )
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if not logger.isEnabledFor(logging.INFO):  # off outside production
                return response
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": request_user_id(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
