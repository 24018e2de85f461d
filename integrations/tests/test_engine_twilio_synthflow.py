"""twilio_synthflow end to end: a real Celery worker, the sandbox's Twilio and Synthflow, and Patchbay's
voice webhook on a live server that the sandbox's Twilio requests, signed, on a simulated call."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.exceptions import ValidationError

from integrations.blueprints.twilio_synthflow import warm_transfer_domain
from integrations.engine.runs import plan_integration
from integrations.models import Integration
from integrations.models.engine import ResourceNode, RunKind, RunState
from integrations.tests.engine_support import (
    FAST_ENGINE,
    Sandbox,
    events_text,
    run_to_end,
    sandbox_settings,
)
from integrations.tests.synthflow_engine_support import SynthflowSetup, duplicates_of, make_twilio_synthflow
from integrations.vendors.errors import NotFound

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

CALLER = "+12065550142"
AGENT = "+14155550123"
ELSEWHERE = "+19005550100"
PREVIOUS_VOICE_URL = "https://old-ivr.example.com/voice"


@pytest.fixture(scope="module")
def engine_env(sandbox_server: Any, live_server: Any) -> dict[str, str]:
    # The worker points the number at PUBLIC_BASE_URL; the live server answers there (and checks
    # signatures against it), so the sandbox's Twilio reaches Patchbay's real webhook.
    return {**sandbox_settings(sandbox_server.url), **FAST_ENGINE, "PUBLIC_BASE_URL": live_server.url}


@pytest.fixture
def setup(sandbox: Sandbox, engine_worker: Any) -> SynthflowSetup:
    setup = make_twilio_synthflow(sandbox)
    twilio = setup.sandbox_accounts["twilio"]
    # The customer's number had its own voice URL before Patchbay: teardown must give it back.
    setup.twilio().update_voice(twilio["phone_number_sid"], voice_url=PREVIOUS_VOICE_URL)
    return setup


def _webhook_url(engine_env: dict[str, str], setup: SynthflowSetup) -> str:
    path = reverse("twilio-voice-webhook", kwargs={"public_id": setup.integration.public_id})
    return f"{engine_env['PUBLIC_BASE_URL']}{path}"


def _number(setup: SynthflowSetup) -> Any:
    return setup.twilio().get_number(setup.sandbox_accounts["twilio"]["phone_number_sid"])


def _applied(setup: SynthflowSetup) -> None:
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED, events_text(run)


def test_apply_points_the_number_at_patchbay_and_a_second_apply_changes_nothing(
    sandbox: Sandbox, setup: SynthflowSetup, engine_env: dict[str, str]
) -> None:
    _applied(setup)
    rows = ResourceNode.objects.filter(integration_id=setup.integration.pk)
    # warm_transfer_acl, warm_transfer_domain, synthflow_number, assistant_number, twilio_voice
    assert rows.count() == 5 and all(r.status == "ready" for r in rows)
    number = _number(setup)
    webhook = _webhook_url(engine_env, setup)
    assert (number.voice_url, number.voice_method) == (webhook, "POST")
    assert (number.voice_fallback_url, number.voice_fallback_method) == (webhook, "POST")
    twilio_number = setup.sandbox_accounts["twilio"]["phone_number"]
    imported = setup.synthflow().get_number(setup.workspace_id, twilio_number)
    assert imported.assistant_ids == (setup.assistant_id,)
    assert duplicates_of(sandbox, setup.prefix) == {}

    before = sandbox.request_count()
    again = run_to_end(setup.integration, RunKind.APPLY)
    assert again.state == RunState.SUCCEEDED, events_text(again)
    assert sandbox.writes_since(before) == []
    _, plan = plan_integration(setup.refresh())
    assert [a for a in plan["actions"] if a["action"] != "no-op"] == []


@pytest.mark.parametrize("prepare_inbound", [False, True])
def test_a_simulated_call_reaches_the_assistant_with_its_x_ei_parsed(
    sandbox: Sandbox, engine_worker: Any, prepare_inbound: bool
) -> None:
    setup = make_twilio_synthflow(sandbox, prepare_inbound=prepare_inbound)
    _applied(setup)
    to = setup.sandbox_accounts["twilio"]["phone_number"]
    answered = sandbox.call(via="twilio", **{"from": CALLER, "to": to})
    assert answered["status"] == 200, answered
    assert answered["far_end"] == "synthflow"
    assert answered["request_uri"] == f"sip:{to}@sip.synthflow.ai:32681"
    attempt = answered["twilio"]["attempts"][0]
    assert attempt["status"] == 200 and attempt["method"] == "POST", attempt
    received = answered["received"]
    assert (received["number"], received["model_id"]) == (to, setup.assistant_id)
    if prepare_inbound:
        # `X-EI: S.<id>;` named the call Patchbay prepared through prepare_inbound.
        assert received["prepared"] is True
    else:
        # Without prepare_inbound, `X-EI: E.<CallSid>;` carries Twilio's call SID as the external id.
        assert received["prepared"] is False
        assert received["external_id"] == answered["twilio"]["call_sid"]


def test_an_edited_voice_url_is_healed_by_reconcile(
    sandbox: Sandbox, setup: SynthflowSetup, engine_env: dict[str, str]
) -> None:
    _applied(setup)
    setup.twilio().update_voice(_number(setup).sid, voice_url="https://elsewhere.example.com/hook")
    run = run_to_end(setup.integration, RunKind.RECONCILE)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert _number(setup).voice_url == _webhook_url(engine_env, setup)
    assert run.events.filter(node="twilio_voice", action="update").exists()


def _sip_objects(sandbox: Sandbox) -> list[dict[str, Any]]:
    """The Twilio SIP ingress objects (ACLs, their addresses, domains, mappings) left at the sandbox."""
    return [o for o in sandbox.ledger()["objects"] if o["type"].startswith(("twilio.ip_", "twilio.sip_"))]


def _warm_transfer(sandbox: Sandbox, setup: SynthflowSetup, target: str, **extra: str) -> dict[str, Any]:
    """The assistant warm-transfers a call on the integration's number: Synthflow's new INVITE to the
    number's termination URI, as the sandbox's Twilio handles it."""
    body = {"phone_number": setup.sandbox_accounts["twilio"]["phone_number"], "target": target, **extra}
    return sandbox.post("calls/warm-transfer", body)


def test_a_warm_transfer_reaches_a_transfer_target_and_nothing_else(
    sandbox: Sandbox, engine_worker: Any, engine_env: dict[str, str]
) -> None:
    setup = make_twilio_synthflow(sandbox, transfer_targets=[AGENT])
    _applied(setup)
    domain = warm_transfer_domain(setup.integration.public_id)
    imported = setup.synthflow().get_number(
        setup.workspace_id, setup.sandbox_accounts["twilio"]["phone_number"]
    )
    assert imported.termination_uri == domain

    dialled = _warm_transfer(sandbox, setup, AGENT)
    rejected = _warm_transfer(sandbox, setup, ELSEWHERE)
    stranger = _warm_transfer(sandbox, setup, AGENT, source_ip="203.0.113.9")

    assert (dialled["status"], dialled["dialled"], dialled["domain"]) == (200, AGENT, domain), dialled
    request = dialled["call"]["attempts"][0]
    assert (
        request["url"]
        == f"{engine_env['PUBLIC_BASE_URL']}/hooks/twilio/warm-transfer/{setup.integration.public_id}"
    )
    assert (rejected["status"], rejected["rejected"], rejected["dialled"]) == (603, True, None), rejected
    assert stranger["status"] == 403 and "call" not in stranger  # Twilio refused it: Patchbay never asked
    types = sorted(o["type"] for o in _sip_objects(sandbox))
    assert types == [
        "twilio.ip_access_control_list",
        *["twilio.ip_address"] * 4,  # Synthflow's four global signalling addresses
        "twilio.sip_domain",
        "twilio.sip_domain_calls_acl_mapping",
    ]


def test_warm_transfer_uri_overrides_the_provisioned_domain(sandbox: Sandbox, engine_worker: Any) -> None:
    setup = make_twilio_synthflow(sandbox, transfer_targets=[AGENT], warm_transfer_uri="acme.sip.twilio.com")
    _applied(setup)
    imported = setup.synthflow().get_number(
        setup.workspace_id, setup.sandbox_accounts["twilio"]["phone_number"]
    )

    assert imported.termination_uri == "acme.sip.twilio.com"
    # The sandbox knows no such domain: Synthflow's INVITE goes to the customer's own ingress, not ours.
    assert _warm_transfer(sandbox, setup, AGENT)["status"] == 404
    # ... and Patchbay provisioned no ingress of its own that nobody would call.
    assert _sip_objects(sandbox) == []
    assert set(setup.integration.resources.values_list("node", flat=True)) == {
        "synthflow_number",
        "assistant_number",
        "twilio_voice",
    }


def test_naming_a_warm_transfer_uri_later_deletes_the_provisioned_domain(
    sandbox: Sandbox, engine_worker: Any
) -> None:
    setup = make_twilio_synthflow(sandbox, transfer_targets=[AGENT])
    _applied(setup)
    assert _sip_objects(sandbox) != []
    integration = setup.integration
    integration.config = {**integration.config, "warm_transfer_uri": "acme.sip.twilio.com"}
    integration.save(update_fields=["config"])

    run = run_to_end(integration, RunKind.APPLY)

    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert _sip_objects(sandbox) == []
    imported = setup.synthflow().get_number(
        setup.workspace_id, setup.sandbox_accounts["twilio"]["phone_number"]
    )
    assert imported.termination_uri == "acme.sip.twilio.com"


def test_teardown_gives_the_number_its_voice_url_back_and_leaves_nothing(
    sandbox: Sandbox, setup: SynthflowSetup
) -> None:
    _applied(setup)
    run = run_to_end(setup.integration, RunKind.TEARDOWN)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert sandbox.objects_named(setup.prefix) == []
    assert _sip_objects(sandbox) == []
    number = _number(setup)
    assert (number.voice_url, number.voice_fallback_url) == (PREVIOUS_VOICE_URL, "")
    with pytest.raises(NotFound):
        setup.synthflow().get_number(setup.workspace_id, setup.sandbox_accounts["twilio"]["phone_number"])
    assert not Integration.objects.filter(pk=setup.integration.pk).exists()


def test_teardown_after_a_half_apply_leaves_nothing(sandbox: Sandbox, setup: SynthflowSetup) -> None:
    sandbox.fault(
        "twilio", "UpdateIncomingPhoneNumber", "error", times=100, status=400, message="Injected: refused"
    )
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.FAILED
    assert "twilio_voice" in run.message and "Injected: refused" in run.message
    sandbox.clear_faults()
    teardown = run_to_end(setup.integration, RunKind.TEARDOWN)
    assert teardown.state == RunState.SUCCEEDED, events_text(teardown)
    assert sandbox.objects_named(setup.prefix) == []
    assert _number(setup).voice_url == PREVIOUS_VOICE_URL


def test_bad_input_is_refused_with_field_messages(sandbox: Sandbox, engine_worker: Any) -> None:
    with pytest.raises(ValidationError) as bad:
        make_twilio_synthflow(sandbox, slug="badnum", twilio_number="call me")
    assert "twilio_number" in bad.value.detail["config"]
    setup = make_twilio_synthflow(sandbox, slug="notmine", twilio_number="+14155550777")
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.FAILED
    assert "twilio_voice" in run.message
    assert "+14155550777 is not a number of this Twilio account" in run.message
