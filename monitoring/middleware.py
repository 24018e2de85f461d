"""Gives every request an id (the proxy's X-Request-ID when well-formed), for its log lines and tasks."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from monitoring import log_context

REQUEST_ID_HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Binds the request id (and, lazily, the tenant) to the log context; answers it in X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = log_context.accepted_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        with log_context.serving(request, request_id):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response
