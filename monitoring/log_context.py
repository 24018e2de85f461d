"""The ids a log line carries: request, tenant, integration, run, call — set where they become known.

Held in context variables, so they follow a request through its thread and a
Celery task through its worker; `copy_context()` carries them into the engine's
node threads. The request id travels to tasks a request queues in a message
header (monitoring/celery_signals.py), so one id follows an apply from the
click to the vendor call.
"""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: the fields of a log line that come from the context, in the order they are written
CONTEXT_FIELDS = ("request_id", "tenant", "integration", "run", "call")
#: the Celery message header each field travels in
HEADER_PREFIX = "patchbay_"
#: an incoming X-Request-ID is kept only if it looks like an id (no spaces, quotes or control characters)
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

_fields: dict[str, contextvars.ContextVar[str]] = {
    name: contextvars.ContextVar(f"patchbay_log_{name}", default="") for name in CONTEXT_FIELDS
}
#: the request being served: its tenant is known only once authentication ran (a session's in
#: TenantMiddleware, an API token's inside the view), so it is read when a line is written
_request: contextvars.ContextVar[Any] = contextvars.ContextVar("patchbay_log_request", default=None)


def new_request_id() -> str:
    """A fresh request id (32 hex characters)."""
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str:
    """`value` if it is a well-formed id a proxy gave us, else a fresh one."""
    if value and REQUEST_ID_PATTERN.match(value):
        return value
    return new_request_id()


def current() -> dict[str, str]:
    """The context fields that are set, by name (the tenant of the request being served, if known)."""
    found = {name: var.get() for name, var in _fields.items() if var.get()}
    if "tenant" not in found:
        tenant = getattr(_request.get(), "tenant", None)
        if tenant is not None:
            found["tenant"] = str(tenant.slug)
    return found


@contextmanager
def serving(request: Any, request_id: str) -> Iterator[None]:
    """Inside the block, log lines carry `request_id` and the request's tenant once it is known."""
    request_token = _request.set(request)
    id_token = _fields["request_id"].set(request_id)
    try:
        yield
    finally:
        _fields["request_id"].reset(id_token)
        _request.reset(request_token)


def bind(**values: Any) -> None:
    """Set context fields for the rest of this context (None or '' leaves a field as it is)."""
    for name, value in values.items():
        if value not in (None, ""):
            _fields[name].set(str(value))


@contextmanager
def bound(**values: Any) -> Iterator[None]:
    """Set context fields inside the block only."""
    tokens = [
        (_fields[name], _fields[name].set(str(value)))
        for name, value in values.items()
        if value not in (None, "")
    ]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def clear() -> None:
    """Unset every field (a worker process between two tasks)."""
    for var in _fields.values():
        var.set("")


def as_headers() -> dict[str, str]:
    """The fields as Celery message headers."""
    return {HEADER_PREFIX + name: value for name, value in current().items()}


def from_headers(headers: Any) -> dict[str, str]:
    """The fields found in a task's request (headers written by `as_headers`)."""
    found: dict[str, str] = {}
    for name in CONTEXT_FIELDS:
        value = getattr(headers, HEADER_PREFIX + name, None)
        if value is None and isinstance(headers, dict):
            value = headers.get(HEADER_PREFIX + name)
        if isinstance(value, str) and value:
            found[name] = value[:64]
    return found
