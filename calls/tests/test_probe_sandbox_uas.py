"""`make run`'s probe path: an applied connect_vapi integration's SIP targets, probed against the sandbox.

The targets resolve through the sandbox's DNS (the Vapi credential host to Vapi's
SIP IPs; the connector is not a target, it answers only its allow list), pass the
private-address check with ALLOW_PRIVATE_TARGETS off, and the OPTIONS goes to
the sandbox's SIP stand-in through PROBE_HOST_OVERRIDE — as bin/run_all.py sets
it. The apply runs in this process (`enqueue=execute_run`): no worker needed.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from calls.choices import ProbeStatus, TargetState
from calls.models import SipTarget
from calls.probes import probe_address, probe_integration
from calls.target_addresses import resolve_target
from integrations.diagnostics.registration import refresh_registration
from integrations.engine.runs import execute_run, request_run
from integrations.models.engine import Run, RunState
from integrations.tests.engine_support import (
    FAST_ENGINE,
    ConnectVapiSetup,
    Sandbox,
    apply_settings,
    events_text,
    make_connect_vapi,
    sandbox_settings,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def applied(sandbox_server: Any, sandbox_url: str, monkeypatch: pytest.MonkeyPatch) -> ConnectVapiSetup:
    env = {**sandbox_settings(sandbox_url), **FAST_ENGINE}
    apply_settings(monkeypatch, env)
    monkeypatch.setattr("django.conf.settings.PROBE_DNS_SERVER", env["CHIME_DNS_SERVER"])
    monkeypatch.setattr("django.conf.settings.PROBE_HOST_OVERRIDE", f"127.0.0.1:{sandbox_server.sip_port}")
    monkeypatch.setattr("django.conf.settings.ALLOW_PRIVATE_TARGETS", False)
    monkeypatch.setattr("django.conf.settings.PROBE_TIMEOUT_SECONDS", 1.0)
    setup = make_connect_vapi(Sandbox(sandbox_url))
    run, _ = request_run(setup.integration, "apply", enqueue=execute_run)
    run = Run.objects.get(pk=run.pk)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    setup.refresh()
    return setup


def _registered(setup: ConnectVapiSetup) -> dict[str, Any]:
    return refresh_registration(setup.refresh())


def test_probes_of_an_applied_integration_reach_the_sandbox_and_keep_it_registered(
    applied: ConnectVapiSetup, sandbox_url: str
) -> None:
    rounds = [probe_integration(applied.integration) for _ in range(2)]

    results = [result for round_ in rounds for result in round_]
    hosts = {result.target.host for result in results}
    assert any(host.endswith(".sip.vapi.ai") for host in hosts)
    # The connector answers only its allow list, never Patchbay's probe: it is not probed (issue 12.8).
    assert not any(host.endswith(".voiceconnector.chime.aws") for host in hosts)
    assert {(r.response_code, r.succeeded) for r in results} == {(200, True)}
    servers = {r.target.host.split(".", 1)[1]: r.server for r in results}
    assert servers == {"sip.vapi.ai": "Vapi sandbox"}
    assert set(SipTarget.objects.filter(integration=applied.integration).values_list("state", flat=True)) == {
        TargetState.UP
    }
    registered = _registered(applied)
    assert registered["status"] == "True", registered


def test_the_connector_host_still_resolves_to_its_signalling_ips(
    applied: ConnectVapiSetup, sandbox_url: str
) -> None:
    probe_integration(applied.integration)
    connector_host = applied.refresh().resources.get(node="voice_connector").outputs["host"]
    credential = SipTarget.objects.get(integration=applied.integration, host__endswith=".sip.vapi.ai")

    # The connector's DNS answers lie in us-east-1's published range 3.80.16.0/23 (the diagnostics' check).
    record = httpx.get(f"{sandbox_url}/_sandbox/dns", timeout=10).json()["records"][connector_host]
    assert record and all(ip.startswith("3.80.1") for ip in record)
    assert resolve_target(connector_host, 5060, "udp") == sorted(record)
    assert resolve_target(credential.host, 5060, "udp") == ["44.229.228.186", "44.238.177.138"]


def test_the_connector_answers_no_options_from_outside_its_allow_list(
    applied: ConnectVapiSetup, sandbox_url: str
) -> None:
    """A Chime connector answers only its termination's allow list (issue 12.8): a probe from here
    gets nothing, which is why Patchbay does not probe it."""
    connector_host = applied.refresh().resources.get(node="voice_connector").outputs["host"]

    outcome = probe_address(connector_host, 5060, "udp")

    assert not outcome.succeeded and outcome.response_code is None
    seen = httpx.get(f"{sandbox_url}/_sandbox/sip", timeout=10).json()
    assert set(seen["not_allow_listed"]) == {"chime"} and "chime" not in seen["answered"]


def test_a_silenced_vendor_host_goes_down_and_registered_turns_false(
    applied: ConnectVapiSetup, sandbox_url: str
) -> None:
    for _ in range(2):
        probe_integration(applied.integration)
    credential = SipTarget.objects.get(integration=applied.integration, host__endswith=".sip.vapi.ai")
    Sandbox(sandbox_url).post("sip", {"silent_hosts": [credential.host]})

    for _ in range(3):
        probe_integration(applied.integration)

    credential.refresh_from_db()
    assert credential.state == TargetState.DOWN
    registered = _registered(applied)
    assert registered["status"] == "False"
    assert credential.host in registered["message"]


@pytest.mark.parametrize("host", ["10.0.0.5", "127.0.0.1", "169.254.169.254"])
def test_the_override_never_lets_a_private_target_through(
    sandbox_server: Any, sandbox_url: str, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    monkeypatch.setattr("django.conf.settings.PROBE_HOST_OVERRIDE", f"127.0.0.1:{sandbox_server.sip_port}")
    monkeypatch.setattr("django.conf.settings.ALLOW_PRIVATE_TARGETS", False)

    outcome = probe_address(host, 5060, "udp")

    assert outcome.status == ProbeStatus.BLOCKED
    assert outcome.response_code is None
    assert httpx.get(f"{sandbox_url}/_sandbox/sip", timeout=10).json()["answered"] == {}
