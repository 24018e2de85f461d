"""prepare_inbound's breaker (integrations/hooks/breaker.py) in one process, without HTTP: how a stall
among calls still waiting on Synthflow is told apart from one slow answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from integrations.hooks import breaker
from testing import resets

ID = "integration-public-id"


@pytest.fixture(autouse=True)
def fresh(settings: Any) -> Iterator[None]:
    settings.SYNTHFLOW_BREAKER_FAILURES = 5
    settings.SYNTHFLOW_BREAKER_SECONDS = 3600.0
    settings.SYNTHFLOW_PREPARE_TIMEOUT = 2.0
    resets.forget_breakers()
    yield
    resets.forget_breakers()


def test_a_stall_while_others_wait_holds_new_calls_until_those_report() -> None:
    assert all(breaker.allows(ID) for _ in range(3))  # three calls ask Synthflow at once

    breaker.record(ID, False, stalled=True)  # the first of them waited out its timeout

    assert not breaker.allows(ID), "new calls get the fallback while the other two have not reported"
    breaker.record(ID, True)  # one of those two was answered: Synthflow is back
    assert breaker.allows(ID)


def test_the_waiting_calls_stalling_too_open_the_breaker() -> None:
    for _ in range(4):
        assert breaker.allows(ID)

    for _ in range(4):
        breaker.record(ID, False, stalled=True)

    assert not breaker.allows(ID)


def test_a_lone_stall_lets_one_call_probe_at_once() -> None:
    assert breaker.allows(ID)
    breaker.record(ID, False, stalled=True)

    assert breaker.allows(ID), "the next call probes"
    assert not breaker.allows(ID), "and only that one, until it reports"
    breaker.record(ID, True)
    assert breaker.allows(ID) and breaker.allows(ID)


def test_quick_errors_open_only_after_the_configured_count() -> None:
    for _ in range(4):
        assert breaker.allows(ID)
        breaker.record(ID, False)
    assert breaker.allows(ID)
    breaker.record(ID, False)

    assert not breaker.allows(ID)
