"""The one place API errors become JSON: `{"detail", "code"}`, plus `"errors"` for field errors.

Field errors are keyed by dotted path, e.g. `{"config.area_code": ["..."]}`. Errors raised outside a
DRF view (an unknown URL under /api/, a request Django refuses before any view, an unhandled
exception) get the same shape from the `handler400/403/404/500` views below, wired in
controlplane/urls.py; pages outside /api/ keep Django's HTML pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from tenants.api.parsers import RequestTooLarge

API_PREFIX = "/api/"


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as `{"dotted.path": [messages]}`."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = prefix if key == api_settings.NON_FIELD_ERRORS_KEY and prefix else str(key)
            if key != api_settings.NON_FIELD_ERRORS_KEY and prefix:
                name = f"{prefix}.{key}"
            for path, messages in flatten_errors(value, name).items():
                flat.setdefault(path, []).extend(messages)
    elif isinstance(detail, list) and any(isinstance(item, Mapping | list) for item in detail):
        for index, item in enumerate(detail):
            if item:
                for path, messages in flatten_errors(
                    item, f"{prefix}.{index}" if prefix else str(index)
                ).items():
                    flat.setdefault(path, []).extend(messages)
    elif isinstance(detail, list):
        flat[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [str(item) for item in detail]
    else:
        flat[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [str(detail)]
    return flat


def _as_api_exception(exc: Exception) -> exceptions.APIException | None:
    if isinstance(exc, Http404):
        # Never say whose object it was or that it exists (DESIGN §3).
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return exceptions.ParseError(str(exc))
    if isinstance(exc, exceptions.APIException):
        return exc
    return None


def _code(detail: Any, default: str) -> str:
    return str(getattr(detail, "code", None) or default)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (status, headers, rollback) with Patchbay's error body."""
    api_exc = _as_api_exception(exc)
    if api_exc is None:
        return None  # not ours to describe: Django's 500 handling (and logging) applies
    response = exception_handler(api_exc, context)
    if response is None:
        return None
    if isinstance(api_exc, exceptions.ValidationError):
        errors = flatten_errors(api_exc.detail)
        field, messages = next(iter(errors.items()))
        detail = f"{field}: {messages[0]}" if field != api_settings.NON_FIELD_ERRORS_KEY else messages[0]
        if sum(len(m) for m in errors.values()) > 1:
            detail += f" (and {sum(len(m) for m in errors.values()) - 1} more)"
        response.data = {"detail": detail, "code": "invalid", "errors": errors}
    else:
        detail = api_exc.detail
        if isinstance(detail, Mapping | list):
            response.data = {
                "detail": "Request failed.",
                "code": api_exc.default_code,
                "errors": flatten_errors(detail),
            }
        else:
            response.data = {"detail": str(detail), "code": _code(detail, api_exc.default_code)}
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _error(detail: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django refused (SuspiciousOperation) before any view described it."""
    if _is_api(request):
        return _error("The request is malformed or not allowed.", "bad_request", 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403."""
    if _is_api(request):
        return _error("You do not have permission to perform this action.", "permission_denied", 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: no route matched (e.g. `integrations/not-a-uuid/calls/`)."""
    if _is_api(request):
        return _error("Not found.", "not_found", 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: never says what failed (it is logged)."""
    if _is_api(request):
        return _error("A server error occurred.", "server_error", 500)
    return defaults.server_error(request)
