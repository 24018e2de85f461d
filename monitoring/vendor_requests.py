"""Counting vendor requests: the HTTP vendors' shared client calls `observe_http_attempt`, boto3 clients
get event hooks (`instrument_boto3_client`), both feeding the same metrics and one log line per request.

Operations are named without ids (`GET /credential/{id}`, `chime-sdk-voice.GetVoiceConnector`), so
the label stays a short fixed set whatever the number of objects.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from monitoring import metrics

logger = logging.getLogger("patchbay.vendor")

#: a path segment that names one object rather than a collection: has a digit, or is long
_ID_SEGMENT = re.compile(r"^(?=.*\d).+$|^.{24,}$")
#: AWS error codes that mean "slow down" (integrations/vendors/aws/session.py maps the same ones to Throttled)
AWS_THROTTLE_CODES = frozenset(
    {
        "ThrottledClientException",
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
    }
)
#: longest operation label kept (a vendor path is short; anything longer is cut)
MAX_OPERATION_CHARS = 80

_started = threading.local()


def http_operation(method: str, path: str) -> str:
    """`METHOD /path` with every id-like segment (and any query) replaced: `GET /credential/{id}`."""
    segments = path.split("?", 1)[0].strip("/").split("/")
    named = ["{id}" if _ID_SEGMENT.match(segment) else segment for segment in segments if segment]
    return f"{method.upper()} /{'/'.join(named)}"[:MAX_OPERATION_CHARS]


def observe_http_attempt(vendor: str, method: str, path: str, status: int | str, seconds: float) -> None:
    """Count one attempt of an HTTP vendor request (`status`: the HTTP code or the error's name)."""
    operation = http_operation(method, path)
    metrics.VENDOR_REQUESTS.labels(vendor, operation, str(status)).inc()
    metrics.VENDOR_LATENCY.labels(vendor, operation).observe(seconds)
    if status == 429:
        metrics.VENDOR_THROTTLES.labels(vendor, operation).inc()
    logger.info("%s %s -> %s in %.3fs", vendor, operation, status, seconds)


def note_http_retry(vendor: str, method: str, path: str) -> None:
    """An HTTP vendor request is about to be sent again."""
    metrics.VENDOR_RETRIES.labels(vendor, http_operation(method, path)).inc()


def _aws_operation(event_name: str) -> str:
    # "response-received.chime-sdk-voice.CreateVoiceConnector" → "chime-sdk-voice.CreateVoiceConnector"
    return event_name.split(".", 1)[-1][:MAX_OPERATION_CHARS]


def _before_send(**_: Any) -> None:
    _started.at = time.monotonic()  # returning None: botocore sends the request itself


def _response_received(
    event_name: str = "",
    response_dict: dict[str, Any] | None = None,
    parsed_response: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    exception: BaseException | None = None,
    **_: Any,
) -> None:
    seconds = time.monotonic() - getattr(_started, "at", time.monotonic())
    operation = _aws_operation(event_name)
    status: int | str = (
        response_dict.get("status_code", 0) if response_dict is not None else type(exception).__name__
    )
    metrics.VENDOR_REQUESTS.labels("aws", operation, str(status)).inc()
    metrics.VENDOR_LATENCY.labels("aws", operation).observe(seconds)
    code = ((parsed_response or {}).get("Error") or {}).get("Code", "")
    if code in AWS_THROTTLE_CODES or status == 429:
        metrics.VENDOR_THROTTLES.labels("aws", operation).inc()
    if ((context or {}).get("retries") or {}).get("attempt", 1) > 1:
        metrics.VENDOR_RETRIES.labels("aws", operation).inc()
    logger.info("aws %s -> %s%s in %.3fs", operation, status, f" {code}" if code else "", seconds)


def instrument_boto3_client(client: Any) -> Any:
    """Count every attempt `client` makes (botocore's per-attempt events); returns the client."""
    client.meta.events.register("before-send", _before_send, unique_id="patchbay-metrics-before-send")
    client.meta.events.register(
        "response-received", _response_received, unique_id="patchbay-metrics-response-received"
    )
    return client
