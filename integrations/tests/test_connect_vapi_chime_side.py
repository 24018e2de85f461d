"""connect_vapi's Chime side against the sandbox, applied in this process (no worker needed).

- Issue 12.6: the connector has no termination (toll fraud: Vapi's shared SBC addresses, no
  credentials); one left by an earlier blueprint is deleted by the next apply.
- Issue 12.2: Vapi's gateways are Chime's published signalling ranges of the connector's region,
  not today's DNS answers; a call from anywhere in the range gets through; a table change is
  healed by reconcile.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from integrations.engine.runs import execute_run, request_run
from integrations.models.engine import NodeStatus, ResourceNode, Run, RunKind, RunState
from integrations.tests.engine_support import (
    FAST_ENGINE,
    ConnectVapiSetup,
    Sandbox,
    apply_settings,
    events_text,
    make_connect_vapi,
    sandbox_settings,
)
from integrations.vendors.chime_ranges import SIGNALLING_RANGES

pytestmark = pytest.mark.django_db(transaction=True)

VAPI_US = ["44.229.228.186/32", "44.238.177.138/32"]  # what the old blueprint allowed (PROVIDERS.md §2.5)


def _run(setup: ConnectVapiSetup, kind: str) -> Run:
    run, _ = request_run(setup.refresh(), kind, enqueue=execute_run)
    return Run.objects.get(pk=run.pk)


@pytest.fixture
def sandbox(sandbox_url: str, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    apply_settings(monkeypatch, {**sandbox_settings(sandbox_url), **FAST_ENGINE})
    return Sandbox(sandbox_url)


@pytest.fixture
def applied(sandbox: Sandbox) -> ConnectVapiSetup:
    setup = make_connect_vapi(sandbox)
    run = _run(setup, RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    return setup


def _node(setup: ConnectVapiSetup, name: str) -> ResourceNode:
    return ResourceNode.objects.get(integration_id=setup.integration.pk, node=name)


def _gateways(sandbox: Sandbox, setup: ConnectVapiSetup) -> list[tuple[str, int, bool]]:
    credential_id = _node(setup, "vapi_credential").external_id
    api_key = setup.vapi.read_secrets()["api_key"]
    response = httpx.get(
        f"{sandbox.url}/vapi/credential/{credential_id}",
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=10,
    )
    response.raise_for_status()
    return sorted((g["ip"], g["netmask"], g["inboundEnabled"]) for g in response.json()["gateways"])


def _termination(aws_client: Any, connector_id: str) -> dict[str, Any] | None:
    chime = aws_client("chime-sdk-voice")
    try:
        return chime.get_voice_connector_termination(VoiceConnectorId=connector_id)["Termination"]
    except chime.exceptions.NotFoundException:
        return None


# -- issue 12.6 ------------------------------------------------------------------------------------


def test_the_connector_takes_no_calls_out_to_the_pstn(applied: ConnectVapiSetup, aws_client: Any) -> None:
    """Calls only flow Connect → Chime → Vapi: a termination would let anyone on Vapi call out."""
    connector_id = _node(applied, "voice_connector").external_id

    assert _termination(aws_client, connector_id) is None
    assert not ResourceNode.objects.filter(integration_id=applied.integration.pk, node="termination").exists()


def _old_termination(applied: ConnectVapiSetup, aws_client: Any) -> str:
    """What an apply under the old blueprint left: Vapi's SBCs allowed, no credentials, and its row."""
    connector_id = _node(applied, "voice_connector").external_id
    aws_client("chime-sdk-voice").put_voice_connector_termination(
        VoiceConnectorId=connector_id,
        Termination={"CidrAllowedList": VAPI_US, "CallingRegions": ["US"], "CpsLimit": 1, "Disabled": False},
    )
    ResourceNode.objects.create(
        tenant_id=applied.integration.tenant_id,
        integration_id=applied.integration.pk,
        node="termination",
        type="chime.voice_connector_termination",
        external_name="",
        external_id=connector_id,
        status=NodeStatus.READY,
        outputs={"cidr_allowed_list": VAPI_US, "usernames": []},
    )
    return connector_id


def test_a_termination_an_earlier_apply_left_is_deleted_by_the_next_apply(
    applied: ConnectVapiSetup, aws_client: Any
) -> None:
    connector_id = _old_termination(applied, aws_client)

    run = _run(applied, RunKind.APPLY)

    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert _termination(aws_client, connector_id) is None
    assert _node(applied, "termination").status == NodeStatus.DELETED
    assert run.events.filter(node="termination", action="delete", outcome="ok").exists()
    # Gone for good: the next plan has nothing left to do.
    again = _run(applied, RunKind.APPLY)
    assert not again.events.filter(node="termination").exists()


def test_under_the_report_policy_a_left_termination_is_reported_not_deleted(
    applied: ConnectVapiSetup, aws_client: Any
) -> None:
    from integrations.actions import update_integration
    from tenants.audit import Actor

    connector_id = _old_termination(applied, aws_client)
    update_integration(applied.refresh(), policy="report", actor=Actor.system())

    run = _run(applied, RunKind.RECONCILE)

    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert _termination(aws_client, connector_id) is not None
    assert "termination" in run.plan["drift"]
    synced = next(c for c in applied.refresh().conditions if c["type"] == "Synced")
    assert synced["status"] == "False" and "termination" in synced["message"]


def test_teardown_deletes_a_termination_an_earlier_apply_left(
    applied: ConnectVapiSetup, aws_client: Any, sandbox: Sandbox
) -> None:
    _old_termination(applied, aws_client)

    run = _run(applied, RunKind.TEARDOWN)

    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert [o for o in sandbox.objects_named(applied.prefix) if o["state"] != "DeleteInProgress"] == []


# -- issue 12.2 ------------------------------------------------------------------------------------


def _call(sandbox: Sandbox, setup: ConnectVapiSetup, source_ip: str) -> dict[str, Any]:
    """A caller dials the Connect number; the connector's INVITE to Vapi comes from `source_ip`."""
    sandbox.post("options", {"chime": {"connector_source_ip": source_ip}})
    return sandbox.call(
        via="connect", **{"from": "+15105550101"}, to=setup.connect_phone_number, attributes={"A": "1"}
    )


def test_a_call_from_anywhere_in_chimes_signalling_range_reaches_vapi(
    applied: ConnectVapiSetup, sandbox: Sandbox
) -> None:
    """us-east-1 signals from 3.80.16.0/23 (AWS.md §5.2): both halves get through, not just DNS's answers."""
    host = _node(applied, "voice_connector").outputs["host"]
    answered_by_dns = httpx.get(f"{sandbox.url}/_sandbox/dns", timeout=10).json()["records"][host]
    elsewhere = next(
        ip for ip in ("3.80.16.1", "3.80.16.254", "3.80.17.1", "3.80.17.254") if ip not in answered_by_dns
    )

    for source in (elsewhere, "3.80.17.200"):
        answered = _call(sandbox, applied, source)
        assert answered["status"] == 200, answered

    assert _gateways(sandbox, applied) == [("3.80.16.0", 24, True), ("3.80.17.0", 24, True)]


def test_a_change_of_the_published_ranges_is_healed_by_reconcile(
    applied: ConnectVapiSetup, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SIGNALLING_RANGES, "us-east-1", ("3.80.16.0/23", "3.80.18.0/24"))

    run = _run(applied, RunKind.RECONCILE)

    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert run.events.filter(node="vapi_credential", action="update").exists()
    assert _gateways(sandbox, applied) == [
        ("3.80.16.0", 24, True),
        ("3.80.17.0", 24, True),
        ("3.80.18.0", 24, True),
    ]


def test_moving_dns_answers_change_nothing_at_vapi(applied: ConnectVapiSetup, sandbox: Sandbox) -> None:
    """DNS answers are only a check now: a reconcile after they move writes nothing."""
    connector = _node(applied, "voice_connector").external_id
    sandbox.put(f"dns/{connector}", {"ips": ["3.80.17.77", "3.80.16.78"]})
    mark = sandbox.request_count()

    run = _run(applied, RunKind.RECONCILE)

    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert sandbox.writes_since(mark) == []


# -- issue 12.7 ------------------------------------------------------------------------------------


def test_an_attribute_reaches_vapi_under_the_seeds_header_name(
    applied: ConnectVapiSetup, sandbox: Sandbox, sandbox_server: Any
) -> None:
    """Seed 001 sends `x-<name lowercased>`, underscores kept: first_name fills {{first_name}}."""
    answered = sandbox.call(
        via="connect",
        **{"from": "+15105550101"},
        to=applied.connect_phone_number,
        attributes={"first_name": "John", "CustomerName": "Smith"},
    )

    assert answered["status"] == 200, answered
    delivered = answered["delivered_headers"]
    assert (delivered["x-first_name"], delivered["x-customername"]) == ("John", "Smith")
    assert "x-first-name" not in delivered
    variables = sandbox_server.sandbox.stand_in("vapi").received_calls[-1]["variables"]
    assert (variables["first_name"], variables["customername"]) == ("John", "Smith")
