"""The vendor request id of the last call made on this thread, for the run's events.

Every engine step runs on one thread; vendor clients `note()` the request id of
each answer they get (AWS `ResponseMetadata.RequestId`, the HTTP vendors'
request-id headers) and the executor `take()`s the last one when it records the
step, so a support ticket to the vendor can quote it.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx

_local = threading.local()

#: response headers that carry a vendor's request id, in order of preference
REQUEST_ID_HEADERS = ("x-request-id", "twilio-request-id", "inin-correlation-id", "x-amzn-requestid")


def note(request_id: str) -> None:
    """Remember `request_id` as this thread's latest (empty ids are ignored)."""
    if request_id:
        _local.last = request_id


def take() -> str:
    """This thread's latest request id since the last `take()`, then forget it."""
    value = getattr(_local, "last", "")
    _local.last = ""
    return value


def from_response(response: httpx.Response) -> str:
    """The request id an HTTP vendor put in its response headers, or ''."""
    for header in REQUEST_ID_HEADERS:
        value = response.headers.get(header)
        if value:
            return value[:128]
    return ""


def note_aws_call(parsed: Any = None, **_: Any) -> None:
    """botocore `after-call` handler: remember the call's RequestId."""
    if isinstance(parsed, dict):
        note(str(parsed.get("ResponseMetadata", {}).get("RequestId", ""))[:128])
