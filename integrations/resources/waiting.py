"""Bounded waiting for an AWS object to settle (a Lambda update, a phone number order).

The wait is short and bounded on purpose: a resource type never blocks a
worker for long; when the object has not settled in time it raises a
retryable error and the engine tries again on its own schedule.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from integrations.vendors.errors import VendorUnavailable

T = TypeVar("T")


def wait_for(
    fetch: Callable[[], T], settled: Callable[[T], bool], *, what: str, attempts: int | None = None
) -> T:
    """Call `fetch` until `settled(value)` holds, backing off; raise VendorUnavailable when late."""
    delay = settings.RESOURCE_WAIT_BASE_SECONDS
    value = fetch()
    for _ in range(max((attempts or settings.RESOURCE_WAIT_ATTEMPTS) - 1, 0)):
        if settled(value):
            return value
        time.sleep(delay)
        delay = min(delay * 2, settings.RESOURCE_WAIT_MAX_SECONDS)
        value = fetch()
    if settled(value):
        return value
    raise VendorUnavailable(f"{what} has not settled yet; will look again later", vendor="aws")
