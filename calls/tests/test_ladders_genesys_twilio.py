"""Ladders of the other kinds, end to end: a real worker applies, the sandbox places a call, the fetch
task reads it. Genesys → Synthflow from Genesys's SIP trace search; Twilio → Synthflow from Patchbay's
own webhook record and the `<Sip>` leg's status callbacks (the sandbox's Twilio sends them, signed,
to the live server)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from calls import fetch_schedule
from calls.ladder import render_ladder_svg
from calls.models import SipCall
from calls.tasks import fetch_integration_calls_task
from integrations.models import TwilioCallEvent, TwilioEventKind
from integrations.models.engine import ResourceNode, RunKind, RunState
from integrations.tests.engine_support import (
    FAST_ENGINE,
    Sandbox,
    apply_settings,
    events_text,
    run_to_end,
    sandbox_settings,
)
from integrations.tests.genesys_engine_support import NUMBER, GenesysApi, make_genesys_synthflow
from integrations.tests.synthflow_engine_support import make_twilio_synthflow
from testing import resets
from testing.waits import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

CALLER = "+15105550101"
#: seconds for the worker to write the voice webhook's record of a call (integrations/hooks/call_log.py)
RECORD_DEADLINE = 60.0


def _voice_record(call_sid: str) -> TwilioCallEvent:
    """The webhook's record of `call_sid`, once the worker has written it."""
    records = TwilioCallEvent.objects.filter(kind=TwilioEventKind.VOICE_WEBHOOK, call_sid=call_sid)
    return wait_until(
        records.first, timeout=RECORD_DEADLINE, message=f"no voice_webhook record of {call_sid}"
    )


@pytest.fixture(scope="module")
def engine_env(sandbox_server: Any, live_server: Any) -> dict[str, str]:
    return {**sandbox_settings(sandbox_server.url), **FAST_ENGINE, "PUBLIC_BASE_URL": live_server.url}


@pytest.fixture
def sandbox(sandbox_url: str, engine_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    apply_settings(monkeypatch, engine_env)
    # A second call read seconds after the first: an integration with a recent call is due again at once.
    monkeypatch.setattr(settings, "CALLS_ACTIVE_FETCH_SECONDS", 0)
    resets.forget_tokens()
    return Sandbox(sandbox_url)


def _applied(integration: Any) -> None:
    run = run_to_end(integration, RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED, events_text(run)


def _fetched(integration: Any) -> list[SipCall]:
    assert str(integration.pk) in fetch_schedule.due_integration_ids()
    fetch_integration_calls_task(str(integration.pk))
    return list(SipCall.objects.filter(integration=integration).order_by("started_at"))


def _arrows(call: SipCall) -> list[tuple[str, str, str]]:
    return [(m.src, m.dst, m.label) for m in call.messages.order_by("at", "seq")]


def test_a_genesys_call_and_a_refused_one_become_ladders_from_the_sip_trace_search(
    sandbox: Sandbox, engine_worker: Any
) -> None:
    setup = make_genesys_synthflow(sandbox)
    _applied(setup.integration)
    trunk = ResourceNode.objects.get(integration_id=setup.integration.pk, node="trunk")
    # Genesys picks the trunk itself: the number plan classifies NUMBER for Patchbay's route.
    answered = sandbox.call(via="genesys", to=NUMBER, headers={"X-EI": "E.crm-42;"}, **{"from": CALLER})
    assert answered["status"] == 200, answered
    assert (answered["far_end"], answered["trunk"]["id"]) == ("synthflow", trunk.external_id)

    [call] = _fetched(setup.integration)

    edge, synthflow = "Genesys Cloud edge", "sip.synthflow.ai"
    assert call.source == "genesys" and call.call_id == answered["sip_call_id"]
    assert [h["name"] for h in call.hosts] == [edge, synthflow]
    assert [label for _, _, label in _arrows(call)] == [
        "INVITE", "401 Unauthorized", "ACK", "INVITE", "100 Trying", "200 OK", "ACK", "BYE", "200 OK",
    ]  # fmt: skip
    assert {(src, dst) for src, dst, label in _arrows(call) if label in ("INVITE", "ACK", "BYE")} == {
        (edge, synthflow)
    }
    assert call.final_status == 200 and call.reason == "" and not call.messages.filter(is_failure=True)
    assert answered["sent_headers"]["x-inin-cnv"] in call.legs
    invite = call.messages.filter(label="INVITE").last()
    assert dict(invite.headers["x_headers"])["X-EI"] == "E.crm-42;"

    # The trunk's digest password is changed in Genesys: Synthflow refuses the credentials.
    GenesysApi(sandbox, setup.genesys_account).edit_trunk(
        trunk.external_id, trunk_sip_authentication_credentials_password="guessed"
    )
    refused = sandbox.call(via="genesys", to=NUMBER, **{"from": CALLER})
    assert refused["status"] == 401, refused

    calls = _fetched(setup.integration)

    assert len(calls) == 2 and SipCall.objects.get(pk=call.pk).messages.count() == 9
    failed = next(c for c in calls if c.call_id == refused["sip_call_id"])
    assert failed.final_status == 401
    assert "rejected the digest credentials" in failed.reason and synthflow in failed.reason
    assert [m.label for m in failed.messages.filter(is_failure=True)] == ["401 Unauthorized"]


def test_a_twilio_call_ladder_shows_the_webhook_hops_and_marks_the_unseen_legs(
    sandbox: Sandbox, engine_worker: Any
) -> None:
    setup = make_twilio_synthflow(sandbox, prepare_inbound=True)
    _applied(setup.integration)
    to = setup.sandbox_accounts["twilio"]["phone_number"]

    answered = sandbox.call(via="twilio", **{"from": CALLER, "to": to})

    assert answered["status"] == 200, answered
    assert [c["http_status"] for c in answered["status_callbacks"]] == [204, 204, 204, 204]
    parent = answered["twilio"]["call_sid"]
    webhook = _voice_record(parent)
    assert webhook.params["outcome"] == "prepared" and "<Sip" in webhook.params["twiml"]

    [call] = _fetched(setup.integration)

    assert call.source == "twilio" and call.call_id == parent
    assert [h["name"] for h in call.hosts] == [
        "Caller (PSTN)", "Twilio", "Patchbay webhook", "Synthflow API", "sip.synthflow.ai",
    ]  # fmt: skip
    arrows = _arrows(call)
    assert arrows == [
        ("Caller (PSTN)", "Twilio", f"call from {CALLER} (not observed)"),
        ("Twilio", "Patchbay webhook", "POST voice webhook"),
        ("Patchbay webhook", "Synthflow API", "prepare_inbound"),
        ("Patchbay webhook", "Twilio", "TwiML <Dial><Sip>"),
        ("Twilio", "sip.synthflow.ai", "INVITE (not observed)"),
        ("Twilio", "Patchbay webhook", "status initiated"),
        ("Twilio", "Patchbay webhook", "status ringing"),
        ("Twilio", "Patchbay webhook", "status in-progress"),
        ("Twilio", "Patchbay webhook", "status completed (SIP 200)"),
    ]
    unseen = [m.label for m in call.messages.all() if m.headers.get("observed") is False]
    assert unseen == [f"call from {CALLER} (not observed)", "INVITE (not observed)"]
    invite = call.messages.get(label="INVITE (not observed)")
    assert dict(invite.headers["x_headers"])["X-EI"].startswith("S.")
    assert call.final_status == 200 and call.reason == ""
    child = answered["status_callbacks"][0]["params"]["CallSid"]
    assert call.legs == [child]


def test_hops_nobody_reported_are_drawn_dashed_and_grey(sandbox: Sandbox, engine_worker: Any) -> None:
    setup = make_twilio_synthflow(sandbox)
    _applied(setup.integration)
    to = setup.sandbox_accounts["twilio"]["phone_number"]
    answered = sandbox.call(via="twilio", **{"from": CALLER, "to": to})
    assert answered["status"] == 200
    _voice_record(answered["twilio"]["call_sid"])
    [call] = _fetched(setup.integration)

    svg = str(render_ladder_svg(call, list(call.messages.all())))

    assert svg.count('class="arrow not-observed"') == 2
    assert svg.count('class="arrow"') == len(_arrows(call)) - 2
