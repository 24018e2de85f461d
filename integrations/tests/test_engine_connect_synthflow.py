"""connect_synthflow end to end: a real Celery worker, the sandbox's Chime, Connect and Synthflow."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.exceptions import ValidationError

from integrations.diagnostics.models import RegistrationState
from integrations.engine.runs import plan_integration
from integrations.models import Integration
from integrations.models.engine import ResourceNode, Run, RunKind, RunState
from integrations.resources.sip_credentials import open_credentials
from integrations.tests.engine_support import (
    Sandbox,
    events_text,
    run_to_end,
)
from integrations.tests.synthflow_engine_support import SynthflowSetup, duplicates_of, make_connect_synthflow
from integrations.vendors.synthflow import SIGNALLING_CIDRS
from testing.waits import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


#: what a connect_synthflow integration owns at its vendors, by ledger type
OWNED_OBJECT_TYPES = {"chime.VoiceConnector", "chime.PhoneNumber", "connect.ContactFlow", "synthflow.number"}


@pytest.fixture
def setup(sandbox: Sandbox, engine_worker: Any) -> SynthflowSetup:
    return make_connect_synthflow(sandbox, region="eu")


def _applied(setup: SynthflowSetup) -> Run:
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    return run


def _registered(setup: SynthflowSetup, run: Run) -> dict[str, Any]:
    """The Registered condition as evaluated after `run` (the refresh it queues when it commits)."""
    wait_until(
        lambda: RegistrationState.objects.filter(
            integration_id=setup.integration.pk, evaluated_at__gte=run.finished_at
        ).exists(),
        message=f"Registered not evaluated after the {run.kind}",
    )
    return next(c for c in setup.refresh().conditions if c["type"] == "Registered")


def test_apply_builds_the_path_and_a_second_apply_changes_nothing(
    sandbox: Sandbox, setup: SynthflowSetup, aws_client: Any, sandbox_server: Any
) -> None:
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    rows = ResourceNode.objects.filter(integration_id=setup.integration.pk)
    assert rows.count() == 11 and all(r.status == "ready" for r in rows), [(r.node, r.status) for r in rows]
    assert {o["type"] for o in sandbox.objects_named(setup.prefix)} == OWNED_OBJECT_TYPES
    assert duplicates_of(sandbox, setup.prefix) == {}

    connector = setup.node("voice_connector").outputs
    did = setup.node("phone_number").outputs["e164"]
    chime = aws_client("chime-sdk-voice")
    routes = chime.get_voice_connector_origination(VoiceConnectorId=connector["id"])["Origination"]["Routes"]
    assert [(r["Host"], r["Port"], r["Protocol"]) for r in routes] == [("sip.eu.synthflow.ai", 32681, "UDP")]
    termination = chime.get_voice_connector_termination(VoiceConnectorId=connector["id"])["Termination"]
    # Synthflow's EU signalling addresses only: not the global or US ones, never 0.0.0.0/0.
    assert sorted(termination["CidrAllowedList"]) == sorted(SIGNALLING_CIDRS["eu"])
    assert not termination["Disabled"]
    logging = chime.get_voice_connector_logging_configuration(VoiceConnectorId=connector["id"])
    assert logging["LoggingConfiguration"]["EnableSIPLogs"] is True
    number = chime.get_phone_number(PhoneNumberId=did)["PhoneNumber"]
    assert {"Name": "VoiceConnectorId", "Value": connector["id"]} in [
        {"Name": a["Name"], "Value": a["Value"]} for a in number["Associations"]
    ]

    synthflow_number = setup.synthflow().get_number(setup.workspace_id, did)
    assert (
        synthflow_number.termination_uri == connector["host"] == f"{connector['id']}.voiceconnector.chime.aws"
    )
    assert synthflow_number.assistant_ids == (setup.assistant_id,)
    assert setup.node("assistant_number").outputs["attached_at"]

    # One generated credential, the same on the connector and at Synthflow, never shown anywhere.
    credentials = open_credentials(setup.node("sip_credentials").outputs["sealed"])
    usernames = chime.list_voice_connector_termination_credentials(VoiceConnectorId=connector["id"])[
        "Usernames"
    ]
    assert usernames == [credentials["username"]]
    stand_ins = sandbox_server.sandbox
    assert stand_ins.stand_in("chime").voice_connector(connector["id"]).credentials == {
        credentials["username"]: credentials["password"]
    }
    stored = next(n for n in stand_ins.stand_in("synthflow").numbers.values() if n["phone_number"] == did)
    assert (stored["trunk_username"], stored["trunk_pwd"]) == (
        credentials["username"],
        credentials["password"],
    )

    before = sandbox.request_count()
    again = run_to_end(setup.integration, RunKind.APPLY)
    assert again.state == RunState.SUCCEEDED, events_text(again)
    assert sandbox.writes_since(before) == []
    _, plan = plan_integration(setup.refresh())
    assert [a for a in plan["actions"] if a["action"] != "no-op"] == []

    shown = json.dumps(
        [plan, events_text(run), [(r.outputs, r.last_diff, r.message) for r in rows.all()]], default=str
    )
    assert credentials["password"] not in shown


def test_plan_before_apply_masks_the_credentials(sandbox: Sandbox, setup: SynthflowSetup) -> None:
    before = sandbox.request_count()
    _, plan = plan_integration(setup.integration)
    assert sandbox.writes_since(before) == []
    actions = {a["node"]: a for a in plan["actions"]}
    assert actions["synthflow_number"]["action"] == "create"
    assert "termination_uri" in actions["synthflow_number"]["known_after_apply"]
    assert "trunk_password" in actions["synthflow_number"]["known_after_apply"]
    assert actions["origination"]["action"] == "create"


def test_a_simulated_call_through_connect_reaches_the_assistant(
    sandbox: Sandbox, setup: SynthflowSetup, sandbox_server: Any
) -> None:
    _applied(setup)
    did = setup.node("phone_number").outputs["e164"]
    # The caller dials the Connect number; Patchbay's flow transfers to the DID on the connector.
    connect_number = setup.sandbox_accounts["aws"]["connect_phone_number"]
    answered = sandbox.call(via="connect", **{"from": "+15105550101", "to": connect_number})
    assert answered["status"] == 200, answered
    assert [s["action"] for s in answered["connect"]["steps"]] == ["transfer-to-agent", "disconnect"]
    assert answered["far_end"] == "synthflow"
    assert answered["request_uri"].startswith(f"sip:{did}@sip.eu.synthflow.ai:32681")
    received = sandbox_server.sandbox.stand_in("synthflow").received_calls[-1]
    assert (received["number"], received["model_id"], received["status"]) == (did, setup.assistant_id, 200)


def test_an_edited_termination_uri_is_healed_by_reconcile(sandbox: Sandbox, setup: SynthflowSetup) -> None:
    _applied(setup)
    did = setup.node("phone_number").outputs["e164"]
    client = setup.synthflow()
    # The mistake the seed guide warns about: Synthflow's own host as the termination URI.
    client.update_number(setup.workspace_id, did, {"termination_uri": "sip.synthflow.ai"})
    run = run_to_end(setup.integration, RunKind.RECONCILE)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert (
        client.get_number(setup.workspace_id, did).termination_uri
        == setup.node("voice_connector").outputs["host"]
    )
    assert run.events.filter(node="synthflow_number", action="update").exists()


def test_a_reconcile_of_a_bound_number_writes_nothing_and_registered_holds(
    sandbox: Sandbox, setup: SynthflowSetup
) -> None:
    applied = _applied(setup)
    attached_at = setup.node("assistant_number").outputs["attached_at"]
    registered = _registered(setup, applied)
    before = sandbox.request_count()

    run = run_to_end(setup.integration, RunKind.RECONCILE)

    assert run.state == RunState.SUCCEEDED, events_text(run)
    # The binding is read where Synthflow shows it (the agent's phone_number), so nothing is re-sent.
    assert sandbox.writes_since(before) == []
    assert "GetAssistant" in [r["operation"] for r in sandbox.ledger(since=before)["requests"]]
    assert setup.node("assistant_number").outputs["attached_at"] == attached_at
    again = _registered(setup, run)
    assert (again["status"], again["reason"]) == (registered["status"], registered["reason"])
    assert (again["status"], again["reason"]) == ("Unknown", "AwaitingFirstCall")


def test_an_assistant_given_another_number_gets_the_integrations_number_back(
    sandbox: Sandbox, setup: SynthflowSetup
) -> None:
    _applied(setup)
    did = setup.node("phone_number").outputs["e164"]
    client = setup.synthflow()
    # Someone gives the assistant another number in Synthflow's dashboard.
    client.import_custom_number(setup.workspace_id, "+15035550199", termination_uri="pbx.example.net")
    client.set_assistant_number(setup.assistant_id, "+15035550199")
    run = run_to_end(setup.integration, RunKind.RECONCILE)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert client.get_assistant(setup.assistant_id).phone_number == did
    assert run.events.filter(node="assistant_number", action="create").exists()


def test_teardown_after_a_full_apply_leaves_nothing_behind(
    sandbox: Sandbox, setup: SynthflowSetup, aws_client: Any
) -> None:
    _applied(setup)
    did = setup.node("phone_number").outputs["e164"]
    run = run_to_end(setup.integration, RunKind.TEARDOWN)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    left = sandbox.objects_named(setup.prefix)
    # A released Chime number stays 7 days in DeleteInProgress (AWS.md §1.3): not an orphan.
    assert [o for o in left if o["state"] != "DeleteInProgress"] == []
    # Deleting the number detached it from the assistant.
    assert setup.synthflow().get_assistant(setup.assistant_id).phone_number == ""
    assert not Integration.objects.filter(pk=setup.integration.pk).exists()
    assert aws_client("chime-sdk-voice").get_phone_number(PhoneNumberId=did)["PhoneNumber"]["Status"] == (
        "DeleteInProgress"
    )


def test_teardown_after_a_half_apply_leaves_nothing_behind(sandbox: Sandbox, setup: SynthflowSetup) -> None:
    sandbox.fault("synthflow", "UpdateAssistant", "error", times=100, status=400, message="Injected: refused")
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.FAILED
    assert "assistant_number" in run.message and "Injected: refused" in run.message
    sandbox.clear_faults()
    teardown = run_to_end(setup.integration, RunKind.TEARDOWN)
    assert teardown.state == RunState.SUCCEEDED, events_text(teardown)
    assert [o for o in sandbox.objects_named(setup.prefix) if o["state"] != "DeleteInProgress"] == []


def test_bad_config_is_refused_with_field_messages(sandbox: Sandbox, engine_worker: Any) -> None:
    with pytest.raises(ValidationError) as both:
        make_connect_synthflow(sandbox, slug="both", area_code="503", phone_number="+15035550100")
    assert "phone_number" in both.value.detail["config"]
    with pytest.raises(ValidationError) as bad:
        make_connect_synthflow(sandbox, slug="badnum", phone_number="5035550100")
    assert "phone_number" in bad.value.detail["config"]


def test_a_number_the_aws_account_lacks_fails_the_run_naming_it(sandbox: Sandbox, engine_worker: Any) -> None:
    setup = make_connect_synthflow(sandbox, slug="nonum", phone_number="+15035550177")
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.FAILED
    assert (
        "phone_number" in run.message
        and "+15035550177 is not a phone number of this AWS account" in run.message
    )


def test_a_connect_number_the_instance_has_not_claimed_fails_the_run_naming_it(
    sandbox: Sandbox, engine_worker: Any
) -> None:
    setup = make_connect_synthflow(sandbox, slug="unclaimed", connect_phone_numbers=["+13125550000"])
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.FAILED
    assert "connect_numbers" in run.message
    assert "+13125550000 is not a phone number claimed in Amazon Connect instance" in run.message
    assert run_to_end(setup.integration, RunKind.TEARDOWN).state == RunState.SUCCEEDED
