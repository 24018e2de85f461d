"""`wait_until`: the one way the test suite waits for something another thread or process does.

A hand-written `while ...: time.sleep(0.1)` loop either wastes time (a long fixed sleep) or burns a
shared core (a short one), and each one words its timeout failure differently. `wait_until` polls with
a backoff (a first quick look, then doubling intervals up to a ceiling), never sleeps past its deadline,
and fails the test with the caller's message, as Zulip's and NetBox's test helpers do for their waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")

#: the first pause between two looks (seconds); it doubles after each miss up to `max_interval`
FIRST_INTERVAL = 0.02


def poll_until(
    predicate: Callable[[], T],
    *,
    timeout: float,
    interval: float = FIRST_INTERVAL,
    max_interval: float = 0.5,
) -> T | None:
    """Call `predicate` until it returns a truthy value and return that value, or None after `timeout`
    seconds: `wait_until`'s polling, for a caller that decides itself what a timeout means (bench/'s
    command-line tools, a loop that gives up quietly)."""
    deadline = time.monotonic() + timeout
    pause = interval
    while True:
        value = predicate()
        if value:
            return value
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        time.sleep(min(pause, left))
        pause = min(pause * 2, max_interval)


def wait_until(
    predicate: Callable[[], T],
    *,
    timeout: float = 30.0,
    interval: float = FIRST_INTERVAL,
    max_interval: float = 0.5,
    message: str | Callable[[], str] = "",
) -> T:
    """Call `predicate` until it returns a truthy value, and return that value.

    Between two calls it sleeps `interval`, doubled after each miss up to `max_interval`, and never
    past the deadline (one last call is made at the deadline). After `timeout` seconds the test fails
    with `message` (a callable is asked only then: a worker's log, a run's events). The predicate may
    itself `pytest.fail` to stop early (a worker that died). Outside a test, the failure is pytest's
    `Failed` exception like any other.
    """
    value = poll_until(predicate, timeout=timeout, interval=interval, max_interval=max_interval)
    if value:
        return value
    text = message() if callable(message) else message
    pytest.fail(f"{text or 'condition not met'} (waited {timeout:g}s)")
