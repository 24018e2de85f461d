"""Synthflow's SIP edge (`SynthflowStandIn.sip_invite`): host, port, number binding, X-EI and X-headers."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.core.server import SandboxServer
from sandbox.synthflow import SIGNALLING_CIDRS, SynthflowStandIn

URI = "sip:+14155550100@sip.synthflow.ai:32681"


@pytest.fixture
def synthflow(sandbox_server: SandboxServer) -> SynthflowStandIn:
    stand_in = sandbox_server.sandbox.stand_in("synthflow")
    assert isinstance(stand_in, SynthflowStandIn)
    return stand_in


@pytest.fixture
def bound(sandbox_url: str) -> Iterator[dict[str, Any]]:
    """An account whose inbound assistant has +14155550100 attached; `client` talks to its API."""
    account = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "synthflow"}).json()
    client = httpx.Client(
        base_url=f"{sandbox_url}/synthflow",
        headers={"Authorization": f"Bearer {account['api_key']}"},
        timeout=10,
    )
    client.post(
        "/v2/custom-numbers",
        json={
            "workspace_id": account["workspace_id"],
            "phone_number": "+14155550100",
            "termination_uri": "x.example",
        },
    ).raise_for_status()
    client.put(
        f"/v2/assistants/{account['assistant_id']}", json={"phone_number": "+14155550100"}
    ).raise_for_status()
    yield {**account, "client": client}
    client.close()


def prepare(bound: dict[str, Any]) -> str:
    answer = bound["client"].post(
        "/v2/prepare_inbound",
        json={
            "from_number": "+12065551234",
            "to_number": "+14155550100",
            "model_id": bound["assistant_id"],
            "workspace_id": bound["workspace_id"],
            "custom_variables": {"customer_name": "Ada"},
        },
    )
    return answer.json()["synthflow_call_id"]


def call_status(bound: dict[str, Any], call_id: str) -> str:
    return bound["client"].get(f"/v2/calls/{call_id}").json()["response"]["calls"][0]["status"]


def test_prepared_call_id_in_x_ei_is_accepted_and_the_call_goes_in_progress(
    synthflow: SynthflowStandIn, bound: dict[str, Any]
) -> None:
    call_id = prepare(bound)
    headers = {
        "X-EI": f"S.{call_id};E.crm-42;O.+12065550000;",
        "X-Customer-Tier": "gold",
        "x-lower": "dropped",
    }

    answer = synthflow.sip_invite(URI, "99.77.253.10", headers)

    assert answer == (200, "OK")
    received = synthflow.received_calls[-1]
    assert received["prepared"] is True
    assert received["call_id"] == call_id
    assert received["external_id"] == "crm-42"
    assert received["diversion"] == "+12065550000"
    assert received["variables"]["X-Customer-Tier"] == "gold"
    assert received["dropped_headers"] == ["x-lower"]
    assert call_status(bound, call_id) == "in-progress"


def test_headers_in_the_uri_query_are_delivered_like_twilio_sends_them(
    synthflow: SynthflowStandIn, bound: dict[str, Any]
) -> None:
    call_id = prepare(bound)

    answer = synthflow.sip_invite(f"{URI}?X-EI=S.{call_id}%3B&X-Account=A-1", "99.77.253.10", {})

    assert answer == (200, "OK")
    assert synthflow.received_calls[-1]["variables"] == {"X-EI": f"S.{call_id};", "X-Account": "A-1"}


def test_an_unknown_prepared_call_id_is_refused_unless_strictness_is_off(
    synthflow: SynthflowStandIn, bound: dict[str, Any], sandbox_url: str
) -> None:
    headers = {"X-EI": "S.5b7c1f0e-0000-4000-8000-000000000000;"}

    assert synthflow.sip_invite(URI, "99.77.253.10", headers) == (404, "Not Found")
    httpx.post(f"{sandbox_url}/_sandbox/options", json={"synthflow": {"strict_prepared_call_id": False}})
    assert synthflow.sip_invite(URI, "99.77.253.10", headers) == (200, "OK")


def test_a_prepared_call_is_used_once(synthflow: SynthflowStandIn, bound: dict[str, Any]) -> None:
    call_id = prepare(bound)

    first = synthflow.sip_invite(URI, "99.77.253.10", {"X-EI": f"S.{call_id};"})
    second = synthflow.sip_invite(URI, "99.77.253.10", {"X-EI": f"S.{call_id};"})

    assert (first[0], second[0]) == (200, 404)


def test_host_port_and_number_must_match_an_inbound_binding(
    synthflow: SynthflowStandIn, bound: dict[str, Any]
) -> None:
    assert synthflow.sip_invite("sip:+14155550100@sipin.synthflow.ai:32681", "1.2.3.4", {})[0] == 404
    assert synthflow.sip_invite("sip:+14155550100@sip.synthflow.ai", "1.2.3.4", {}) == (
        408,
        "Request Timeout",
    )
    assert synthflow.sip_invite("sip:+14155550199@sip.synthflow.ai:32681", "1.2.3.4", {})[0] == 404
    # The account is a Global workspace: the EU edge does not know its numbers.
    assert synthflow.sip_invite("sip:+14155550100@sip.eu.synthflow.ai:32681", "1.2.3.4", {})[0] == 404
    tls = "sip:+14155550100@sip.synthflow.ai:32682;transport=tls"
    assert synthflow.sip_invite(tls, "1.2.3.4", {}) == (200, "OK")


def test_a_number_no_inbound_assistant_answers_is_not_found(
    synthflow: SynthflowStandIn, bound: dict[str, Any]
) -> None:
    # Deleting the number "will detach the phone number from any agents it is linked to".
    bound["client"].delete("/v2/numbers/14155550100").raise_for_status()

    assert synthflow.sip_invite(URI, "99.77.253.10", {}) == (404, "Not Found")


def test_signalling_cidrs_are_importable_per_region() -> None:
    assert set(SIGNALLING_CIDRS) == {"global", "us", "eu"}
    networks = [ipaddress.IPv4Network(cidr) for cidrs in SIGNALLING_CIDRS.values() for cidr in cidrs]
    assert ipaddress.IPv4Network("34.138.86.8/32") in networks
    assert all(n.prefixlen == 32 for n in networks)
