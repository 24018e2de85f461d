"""The engine's retry policy for one node: backoff with jitter on retryable vendor errors.

The engine is the one owner of retries in a run: while it runs a node step, vendor calls make a
single attempt each (`engine_owns_retries`), so one step is at most `ENGINE_NODE_ATTEMPTS` (6)
tries of each vendor call, not the 6 x 4 (x botocore's own) it would be if every layer retried.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from integrations.vendors.errors import VendorError
from integrations.vendors.http import backoff_delay, engine_owns_retries

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
    with engine_owns_retries():
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
