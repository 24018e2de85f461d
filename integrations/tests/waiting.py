"""`wait_until`: poll a condition with back-off until it holds, or fail the test saying what never came."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T | None], *, timeout: float = 60.0, interval: float = 0.05, message: str = ""
) -> T:
    """The predicate's first truthy value; the interval doubles up to 1 s between tries."""
    end = time.monotonic() + timeout
    delay = interval
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() + delay > end:
            pytest.fail(message or f"condition not met within {timeout}s")
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
