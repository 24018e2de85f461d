"""The shared HTTP machinery of the HTTP vendors: one pooled httpx client each, retries, error mapping.

Policy (DESIGN §2): throttling, 5xx, timeouts and connection errors are
retried with exponential backoff and jitter, honouring `Retry-After`. A POST
that creates something is retried only when the request never left (a refused
connection): if the answer was lost after sending, the create may have
happened, so the engine must look before it creates again (`ResponseLost`).

One owner of retries per call: inside an engine node step (`engine_owns_retries`,
integrations/engine/retry.py) every vendor call — HTTP here, AWS in vendors/aws/session.py — makes a
single attempt and the engine retries the whole step, up to `ENGINE_NODE_ATTEMPTS` (6) tries.
Everywhere else (connection checks, pickers, call fetches, diagnostics) the client owns them:
up to `VENDOR_HTTP_ATTEMPTS` (4) tries per HTTP call and `AWS_MAX_ATTEMPTS` (4) per AWS call;
the live-call webhook asks for one. A 401 answered by fresh credentials is re-sent once and is
not counted as a try.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpx
from django.conf import settings

from integrations.vendors import request_ids
from integrations.vendors.errors import (
    AuthFailed,
    Conflict,
    InvalidSpec,
    NotFound,
    ResponseLost,
    Throttled,
    VendorError,
    VendorUnavailable,
)
from monitoring.vendor_requests import note_http_retry, observe_http_attempt

_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"})
_engine_retries: ContextVar[bool] = ContextVar("engine_owns_retries", default=False)


@contextmanager
def engine_owns_retries() -> Iterator[None]:
    """While inside, the engine retries (integrations/engine/retry.py): vendor calls try once."""
    token = _engine_retries.set(True)
    try:
        yield
    finally:
        _engine_retries.reset(token)


def retries_owned_above() -> bool:
    """Whether vendor calls make one attempt here, because a caller above owns the retries."""
    return _engine_retries.get()


_clients: dict[str, httpx.Client] = {}
_clients_lock = threading.Lock()


def pooled_client(vendor: str) -> httpx.Client:
    """The one pooled httpx client of a vendor in this process."""
    with _clients_lock:
        client = _clients.get(vendor)
        if client is None:
            client = httpx.Client(
                timeout=httpx.Timeout(settings.VENDOR_HTTP_TIMEOUT, connect=5.0),
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
                headers={"User-Agent": "Patchbay/1.0"},
            )
            _clients[vendor] = client
        return client


def backoff_delay(attempt: int, retry_after: float | None = None) -> float:
    """Full-jitter exponential backoff; a vendor's Retry-After wins when it asks for longer."""
    base = settings.VENDOR_RETRY_BASE_SECONDS
    delay = random.uniform(0, min(settings.VENDOR_RETRY_MAX_SECONDS, base * (2**attempt)))
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.VENDOR_RETRY_MAX_SECONDS))
    return delay


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class VendorHttpClient:
    """Base for one vendor's HTTP API: subclasses give the base URL, auth and message extraction."""

    vendor = ""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = pooled_client(self.vendor)

    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate a request (overridden per vendor)."""
        return {}

    def error_message(self, response: httpx.Response) -> tuple[str, str]:
        """(message, field) from an error response in the vendor's own shape."""
        return (response.text[:500] or response.reason_phrase, "")

    def on_auth_failure(self) -> bool:
        """Called on 401: return True when fresh credentials were obtained and a retry makes sense."""
        return False

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        attempts: int | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send one request with the retry policy; answer the response or raise a domain error.

        `attempts` and `timeout` override the settings for one call (the live-call webhook
        asks for one short attempt: a caller is waiting). Inside an engine node step it is one
        attempt whatever was asked (the engine owns the retries).
        """
        method = method.upper()
        attempts = 1 if retries_owned_above() else (attempts or settings.VENDOR_HTTP_ATTEMPTS)
        refreshed = False
        last_error: VendorError | None = None
        attempt = 0
        while attempt < attempts:
            started = time.monotonic()
            try:
                response = self.http.request(
                    method,
                    f"{self.base_url}{path}",
                    json=json,
                    params=params,
                    data=data,
                    headers=self.auth_headers(),
                    timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                observe_http_attempt(
                    self.vendor, method, path, type(exc).__name__, time.monotonic() - started
                )
                # Never sent: always safe to try again.
                last_error = VendorUnavailable(f"cannot connect ({type(exc).__name__})", vendor=self.vendor)
            except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                observe_http_attempt(
                    self.vendor, method, path, type(exc).__name__, time.monotonic() - started
                )
                error_class = VendorUnavailable if method in _IDEMPOTENT else ResponseLost
                last_error = error_class(
                    f"no answer to {method} {path} ({type(exc).__name__})", vendor=self.vendor
                )
                if method not in _IDEMPOTENT:
                    raise last_error from exc
            else:
                observe_http_attempt(
                    self.vendor, method, path, response.status_code, time.monotonic() - started
                )
                if response.status_code < 400:
                    request_ids.note(request_ids.from_response(response))
                    return response
                if response.status_code == 401 and not refreshed and self.on_auth_failure():
                    refreshed = True
                    continue  # re-sent with fresh credentials: not counted as a try
                last_error = self.to_error(response)
                if not last_error.retryable:
                    raise last_error
                if method not in _IDEMPOTENT and response.status_code >= 500:
                    # A 5xx to a create is ambiguous; the engine looks before creating again.
                    raise last_error
            if attempt + 1 < attempts:
                note_http_retry(self.vendor, method, path)
                retry_after = getattr(last_error, "retry_after", None)
                sleep(backoff_delay(attempt, retry_after))
            attempt += 1
        assert last_error is not None
        raise last_error

    def to_error(self, response: httpx.Response) -> VendorError:
        """Map an error response to a domain error carrying the vendor's own words."""
        message, field = self.error_message(response)
        status = response.status_code
        headers = response.headers
        request_id = headers.get("x-request-id", "") or headers.get("inin-correlation-id", "")
        text = f"{status} {message}"
        kwargs = {"vendor": self.vendor, "request_id": request_id, "field": field}
        if status == 404:
            return NotFound(text, **kwargs)
        if status == 409:
            return Conflict(text, **kwargs)
        if status in (401, 403):
            return AuthFailed(text, **kwargs)
        if status == 429:
            return Throttled(text, retry_after=_retry_after(response), **kwargs)
        if status >= 500:
            return VendorUnavailable(text, **kwargs)
        return InvalidSpec(text, **kwargs)
