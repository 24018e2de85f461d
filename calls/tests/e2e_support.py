"""Shared by the end-to-end ladder tests: connect_vapi applied by a real Celery worker against the
sandbox (the `applied` fixture, testing/plugins/engine.py), a simulated call through Connect, and the
fetch task run by that worker."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from calls.tasks import fetch_integration_calls_task
from integrations.models.engine import ResourceNode
from integrations.tests.engine_support import ConnectVapiSetup, Sandbox
from testing.waits import wait_until

CALLER = "+15105550101"
# Seconds for the fetch task through a worker on 2 shared cores (two log groups read, calls stored).
FETCH_DEADLINE = 90
# Seconds until a simulated call's last SIP message is in the past (the calls last a second or two).
CALL_END_DEADLINE = 60


def outputs(setup: ConnectVapiSetup, node: str) -> dict[str, Any]:
    return ResourceNode.objects.get(integration_id=setup.integration.pk, node=node).outputs


def place_call(sandbox: Sandbox, setup: ConnectVapiSetup) -> dict[str, Any]:
    """A caller dials the Connect number: Patchbay's flow invokes its Lambda and transfers to Chime."""
    return sandbox.call(
        via="connect",
        to=setup.connect_phone_number,
        attributes={"CustomerName": "John", "Plan": "gold"},
        duration_seconds=1,
        **{"from": CALLER},
    )


def wait_for_the_end(answered: dict[str, Any]) -> None:
    """The sandbox answers at once with the whole ladder, timestamped as the call unfolds: wait until
    its last message is in the past, as a fetch after the call's end would."""
    last = datetime.fromisoformat(answered["sip"][-1]["at"].replace("Z", "+00:00"))
    wait_until(
        lambda: timezone.now() > last + timedelta(milliseconds=100),
        timeout=CALL_END_DEADLINE,
        message=f"the call's last message ({last}) is still in the future",
    )


def fetch(setup: ConnectVapiSetup, worker: Any) -> int:
    result = fetch_integration_calls_task.delay(str(setup.integration.pk))
    try:
        return int(result.get(timeout=FETCH_DEADLINE))
    except Exception:
        pytest.fail(f"fetch task failed or timed out:\n{worker.log()[-4000:]}")


def sip_call_id(raw: str) -> str:
    return next(line.split(":", 1)[1].strip() for line in raw.split("\r\n") if line.startswith("Call-ID:"))
