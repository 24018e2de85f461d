"""The engine's retry policy for one node: backoff with jitter on retryable vendor errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from integrations.vendors.errors import VendorError
from integrations.vendors.http import backoff_delay

T = TypeVar("T")


def with_retries(
    work: Callable[[], T],
    on_retry: Callable[[VendorError, int, float], None],
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `work`; on a retryable vendor error wait (exponential, jittered, Retry-After aware) and rerun.

    `work` must be safe to rerun: the engine's node step observes before it
    creates, so a retried create adopts an object whose answer was lost.
    """
    attempts = settings.ENGINE_NODE_ATTEMPTS
    for attempt in range(attempts):
        try:
            return work()
        except VendorError as error:
            if not error.retryable or attempt + 1 >= attempts:
                raise
            delay = backoff_delay(attempt, getattr(error, "retry_after", None))
            on_retry(error, attempt + 1, delay)
            sleep(delay)
    raise AssertionError("unreachable")
