"""Gives every request an id (the proxy's X-Request-ID when well-formed), for its log lines and tasks,
and writes one log line per request: method, URL pattern, status and time taken.

The line names the URL *pattern* (`invitations/accept/<str:token>/`), never the path: paths can carry
tokens (an invitation link) and ids without end; the request id ties the line to the rest.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from monitoring import log_context

REQUEST_ID_HEADER = "X-Request-ID"

logger = logging.getLogger("patchbay.request")


def route_of(request: HttpRequest) -> str:
    """The URL pattern the request matched, or "unmatched"."""
    match = getattr(request, "resolver_match", None)
    return f"/{match.route}" if match is not None and match.route else "unmatched"


class RequestIdMiddleware:
    """Binds the request id (and, lazily, the tenant) to the log context; answers it in X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = log_context.accepted_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        with log_context.serving(request, request_id):
            response = self.get_response(request)
            logger.info(
                "%s %s %s %.0fms",
                request.method,
                route_of(request),
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        response[REQUEST_ID_HEADER] = request_id
        return response
