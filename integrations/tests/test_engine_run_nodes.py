"""What the engine records for the run page (issue 11 item 9), end to end on connect_vapi with a real
worker and the sandbox: a failed node carries the vendor's error, what it blocks is skipped, and a heal
says what it changed, old → new."""

from __future__ import annotations

from typing import Any

import pytest

from integrations.models.engine import ResourceNode, RunKind, RunState
from integrations.tests.engine_support import (
    ConnectVapiSetup,
    Sandbox,
    events_text,
    make_connect_vapi,
    run_to_end,
)
from integrations.views.run_nodes import node_progress, run_nodes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def setup(sandbox: Sandbox, engine_worker: Any) -> ConnectVapiSetup:
    return make_connect_vapi(sandbox)


def test_a_vendor_error_fails_its_node_with_the_error_and_skips_what_needs_it(
    sandbox: Sandbox, setup: ConnectVapiSetup
) -> None:
    sandbox.fault(
        "aws",
        "CreateVoiceConnector",
        "error",
        times=100,
        status=400,
        code="BadRequestException",
        message="1 validation error detected: Value 'x' at 'name' failed to satisfy constraint",
    )
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.FAILED

    nodes = {row["node"]: row for row in run_nodes(run)}
    progress = node_progress(list(nodes.values()))

    assert nodes["voice_connector"]["state"] == "failed"
    assert "at 'name' failed to satisfy constraint" in nodes["voice_connector"]["message"]
    assert nodes["origination"]["state"] == "skipped"
    assert "voice_connector" in nodes["origination"]["message"]
    assert all(row["state"] in ("done", "failed", "skipped") for row in nodes.values()), events_text(run)
    assert progress == {"finished": 18, "total": 18, "failed": 1}


def test_a_heal_says_what_it_changed_old_to_new(
    sandbox: Sandbox, setup: ConnectVapiSetup, aws_client: Any
) -> None:
    assert run_to_end(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED
    connector = ResourceNode.objects.get(
        integration_id=setup.integration.pk, node="voice_connector"
    ).external_id
    aws_client("chime-sdk-voice").put_voice_connector_origination(
        VoiceConnectorId=connector,
        Origination={
            "Routes": [{"Host": "198.51.100.7", "Port": 5060, "Protocol": "UDP", "Priority": 1, "Weight": 1}],
            "Disabled": False,
        },
    )

    run = run_to_end(setup.integration, RunKind.RECONCILE)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    origination = next(row for row in run_nodes(run) if row["node"] == "origination")

    assert origination["state"] == "done" and origination["action"] == "updated"
    old, new = origination["change"].split(" → ", 1)
    assert "198.51.100.7" in old and "198.51.100.7" not in new
    assert origination["change"].startswith("routes: ")
