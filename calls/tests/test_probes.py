"""SIP OPTIONS probes against a real SIP peer (sipp), silent and closed ports; the private-target
policy; hysteresis; and the probes API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from calls.choices import ProbeStatus, TargetState, Transport
from calls.models import ProbeRequest, ProbeResult, SipTarget
from calls.probes import (
    Reachability,
    probe_address,
    probe_integration,
    probe_panel_context,
    reachability,
    record_outcome,
    targets_for,
)
from calls.sip_options import ProbeOutcome
from calls.tests.factories import SipTargetFactory, integration_with_sip_peer
from calls.tests.sip_peers import SIPP_SERVER, TLS_SERVER, SippPeer
from integrations.models import ResourceNode
from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from tenants.models import AuditEvent
from testing.world import TenantWorld

StartPeer = Callable[[str], SippPeer]


@pytest.fixture(autouse=True)
def quick_probes(settings: Any) -> None:
    settings.PROBE_TIMEOUT_SECONDS = 1.0
    settings.ALLOW_PRIVATE_TARGETS = True


@pytest.mark.parametrize("transport", [Transport.UDP, Transport.TCP])
def test_sipp_answers_options_with_its_server_header(sipp_peer: StartPeer, transport: str) -> None:
    peer = sipp_peer(transport)

    outcome = probe_address("127.0.0.1", peer.port, transport)

    assert outcome.status == ProbeStatus.ANSWERED
    assert outcome.response_code == 200
    assert outcome.reason_phrase == "OK"
    assert outcome.server == SIPP_SERVER
    assert outcome.address == "127.0.0.1"
    assert outcome.rtt_ms is not None and 0 < outcome.rtt_ms < 1000
    assert outcome.succeeded


def test_a_silent_port_is_a_timeout(silent_udp_port: int) -> None:
    outcome = probe_address("127.0.0.1", silent_udp_port, Transport.UDP)

    assert outcome.status == ProbeStatus.TIMEOUT
    assert outcome.message == "no answer within 1s"
    assert not outcome.succeeded


def test_a_closed_port_is_refused(closed_tcp_port: int) -> None:
    over_tcp = probe_address("127.0.0.1", closed_tcp_port, Transport.TCP)
    over_udp = probe_address("127.0.0.1", closed_tcp_port, Transport.UDP)  # ICMP port unreachable

    assert (over_tcp.status, over_tcp.message) == (ProbeStatus.REFUSED, "connection refused")
    assert (over_udp.status, over_udp.message) == (ProbeStatus.REFUSED, "ICMP port unreachable")


def test_tls_to_a_port_without_tls_is_an_error_not_an_exception(sipp_peer: StartPeer) -> None:
    peer = sipp_peer(Transport.TCP)

    outcome = probe_address("127.0.0.1", peer.port, Transport.TLS)

    assert outcome.status in (ProbeStatus.ERROR, ProbeStatus.TIMEOUT)
    assert outcome.message


def test_an_unknown_host_is_an_error() -> None:
    outcome = probe_address("no-such-host.invalid", 5060, Transport.UDP)

    assert outcome.status == ProbeStatus.ERROR
    assert "does not resolve" in outcome.message


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "10.1.2.3", "169.254.169.254", "192.168.0.10", "::1"]
)
def test_private_targets_are_refused_unless_allowed(settings: Any, host: str, sipp_peer: StartPeer) -> None:
    settings.ALLOW_PRIVATE_TARGETS = False
    peer = sipp_peer(Transport.UDP)

    outcome = probe_address(host, peer.port, Transport.UDP)

    assert outcome.status == ProbeStatus.BLOCKED
    assert "ALLOW_PRIVATE_TARGETS is off" in outcome.message
    assert outcome.address == ""  # nothing was sent


def test_multicast_and_reserved_targets_are_refused(settings: Any) -> None:
    settings.ALLOW_PRIVATE_TARGETS = False

    for host in ("224.0.0.1", "240.0.0.1", "0.0.0.0", "100.64.0.1"):
        assert probe_address(host, 5060, Transport.UDP).status == ProbeStatus.BLOCKED, host


def failing() -> ProbeOutcome:
    return ProbeOutcome(status=ProbeStatus.TIMEOUT, message="no answer")


def answering() -> ProbeOutcome:
    return ProbeOutcome(status=ProbeStatus.ANSWERED, response_code=200, reason_phrase="OK", rtt_ms=3.0)


def test_down_after_three_failures_and_up_after_two_successes(db: Any) -> None:
    target = SipTargetFactory()
    states = []
    for outcome in [answering(), failing(), failing(), failing(), answering(), answering(), failing()]:
        states.append(record_outcome(target, outcome).state_after)

    assert states == [
        TargetState.UNKNOWN,  # one success is not enough data
        TargetState.UNKNOWN,
        TargetState.UNKNOWN,
        TargetState.DOWN,  # third failure in a row
        TargetState.DOWN,  # one success: still down
        TargetState.UP,  # second success in a row
        TargetState.UP,  # one lost packet raises no alarm
    ]
    target.refresh_from_db()
    assert target.state == TargetState.UP
    assert (target.consecutive_failures, target.consecutive_successes) == (1, 0)
    assert ProbeResult.objects.filter(target=target).count() == 7


def test_thresholds_come_from_settings(db: Any, settings: Any) -> None:
    settings.PROBE_DOWN_AFTER, settings.PROBE_UP_AFTER = 1, 1
    target = SipTargetFactory()

    assert record_outcome(target, failing()).state_after == TargetState.DOWN
    assert record_outcome(target, answering()).state_after == TargetState.UP


def test_503_counts_as_a_failure_and_404_as_alive() -> None:
    assert not ProbeOutcome(status=ProbeStatus.ANSWERED, response_code=503).succeeded
    assert ProbeOutcome(status=ProbeStatus.ANSWERED, response_code=404).succeeded
    assert ProbeOutcome(status=ProbeStatus.ANSWERED, response_code=501).succeeded


def test_targets_come_from_the_engine_outputs_and_missing_nodes_are_skipped(db: Any) -> None:
    integration = IntegrationFactory(kind="connect_vapi")
    assert targets_for(integration) == []

    ResourceNode.objects.create(
        tenant=integration.tenant,
        integration=integration,
        node="vapi_credential",
        type="vapi.credential",
        outputs={"id": "cred", "sip_host": "cred.sip.vapi.ai"},
    )
    ResourceNode.objects.create(
        tenant=integration.tenant,
        integration=integration,
        node="voice_connector",
        type="chime.voice_connector",
        outputs={"id": "vc1", "host": "vc1.voiceconnector.chime.aws"},
    )
    ResourceNode.objects.create(
        tenant=integration.tenant, integration=integration, node="sip_rule", type="chime.sip_rule", outputs={}
    )
    ResourceNode.objects.create(
        tenant=integration.tenant,
        integration=integration,
        node="trunk",
        type="genesys.trunk",
        outputs={"sip_host": "pb-acme.byoc.usw2.pure.cloud"},
    )

    found = {(t.label, t.host, t.port, t.transport) for t in targets_for(integration)}
    # Only Vapi's public edge: a connector or a BYOC trunk answers its allow list only (issue 12.8).
    assert found == {("Vapi credential SIP host", "cred.sip.vapi.ai", 5060, "udp")}


def test_probe_integration_records_history_per_target(db: Any, sipp_peer: StartPeer) -> None:
    peer = sipp_peer(Transport.UDP)
    integration = integration_with_sip_peer(IntegrationFactory().tenant, peer.port)

    results = [probe_integration(integration) for _ in range(2)]

    sipp_results = [r for batch in results for r in batch if r.target.host == "127.0.0.1"]
    assert [r.response_code for r in sipp_results] == [200, 200]
    assert [r.state_after for r in sipp_results] == [TargetState.UNKNOWN, TargetState.UP]
    target = SipTarget.objects.get(integration=integration, host="127.0.0.1")
    assert target.state == TargetState.UP and target.port == peer.port


@pytest.fixture
def tasks_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Celery tasks run in this process when sent (the worker-process path is in test_browser_probes)."""
    from controlplane.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def test_api_queues_a_probe_and_its_request_says_when_it_is_done(
    world: TenantWorld, sipp_peer: StartPeer, tasks_run_here: None, django_capture_on_commit_callbacks: Any
) -> None:
    peer = sipp_peer(Transport.UDP)
    integration = integration_with_sip_peer(world.tenant, peer.port)
    url = reverse("integration-probes-list", kwargs={"integration_id": integration.pk})

    with django_capture_on_commit_callbacks(execute=True):
        queued = world.api(Role.OPERATOR).post(url)
    request_url = reverse(
        "integration-probe-requests-detail",
        kwargs={"integration_id": integration.pk, "pk": queued.json()["id"]},
    )
    polled = world.api(Role.VIEWER).get(request_url)
    listed = world.api(Role.VIEWER).get(url)

    assert queued.status_code == 202, queued.json()
    assert queued.json()["state"] == "queued"  # answered before any probe was sent
    assert polled.json()["state"] == "done"
    assert polled.json()["summary"].startswith("Probed ")
    result = next(r for r in listed.json()["results"] if r["target"]["host"] == "127.0.0.1")
    assert result["status"] == "answered"
    assert result["response_code"] == 200
    assert result["server"] == SIPP_SERVER
    assert result["rtt_ms"] > 0
    assert result["target"]["state"] == TargetState.UNKNOWN  # one success so far
    assert AuditEvent.objects.filter(tenant=world.tenant, action="probes.run").count() == 1


def test_a_second_probe_asked_for_while_one_is_queued_is_the_same_request(world: TenantWorld) -> None:
    integration = IntegrationFactory(tenant=world.tenant)
    url = reverse("integration-probes-list", kwargs={"integration_id": integration.pk})

    first = world.api(Role.OPERATOR).post(url)  # no worker in this test: it stays queued
    second = world.api(Role.OPERATOR).post(url)

    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert ProbeRequest.objects.filter(integration=integration).count() == 1


def test_viewers_cannot_run_probes_and_other_tenants_get_404(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    integration = IntegrationFactory(tenant=world.tenant)
    url = reverse("integration-probes-list", kwargs={"integration_id": integration.pk})

    assert world.api(Role.VIEWER).post(url).status_code == 403
    assert other_world.api(Role.OWNER).post(url).status_code == 404
    assert other_world.api(Role.OWNER).get(url).status_code == 404
    assert not ProbeResult.objects.exists()
    assert not ProbeRequest.objects.exists()


def test_options_over_tls(tls_peer: int, settings: Any) -> None:
    settings.PROBE_TLS_VERIFY = False  # the test peer's certificate is self-signed

    outcome = probe_address("127.0.0.1", tls_peer, Transport.TLS)

    assert outcome.status == ProbeStatus.ANSWERED
    assert (outcome.response_code, outcome.server) == (200, TLS_SERVER)


def test_an_untrusted_certificate_is_an_error_when_verifying(tls_peer: int, settings: Any) -> None:
    settings.PROBE_TLS_VERIFY = True

    outcome = probe_address("127.0.0.1", tls_peer, Transport.TLS)

    assert outcome.status == ProbeStatus.ERROR
    assert outcome.message.startswith("TLS failed: CERTIFICATE_VERIFY_FAILED")


def test_reachability_and_the_history_panel(db: Any) -> None:
    target = SipTargetFactory(host="cred.sip.vapi.ai")
    integration = target.integration
    assert reachability(integration).state == TargetState.UNKNOWN
    for _ in range(3):
        record_outcome(target, failing())

    summary = reachability(integration)
    html = render_to_string("calls/probe_history.html", probe_panel_context(integration))

    assert summary == Reachability(TargetState.DOWN, "Not answering SIP OPTIONS: cred.sip.vapi.ai:5060/udp.")
    assert html.count('class="probe-failed"') == 3
    assert '<span class="badge badge-red state-down">Down</span>' in html
    assert "No answer (timeout)" in html


def test_hosts_resolve_through_the_sandbox_dns_and_vendor_names_never_reach_the_system_resolver(
    settings: Any, sandbox_server: Any, sandbox_url: str, aws_client: Callable[..., Any], sipp_peer: StartPeer
) -> None:
    settings.PROBE_DNS_SERVER = f"127.0.0.1:{sandbox_server.dns_port}"
    chime = aws_client("chime-sdk-voice")
    connector = chime.create_voice_connector(
        Name="pb-probe-vc", RequireEncryption=False, AwsRegion="us-east-1"
    )
    connector_id = connector["VoiceConnector"]["VoiceConnectorId"]
    moved = httpx.put(f"{sandbox_url}/_sandbox/dns/{connector_id}", json={"ips": ["127.0.0.1"]}, timeout=10)
    assert moved.status_code == 200, moved.text
    peer = sipp_peer(Transport.UDP)

    connector_probe = probe_address(f"{connector_id}.voiceconnector.chime.aws", peer.port, Transport.UDP)
    vendor_probe = probe_address("0d5e7c1a-1111-2222-3333-444455556666.sip.vapi.ai", 5060, Transport.UDP)

    assert (connector_probe.status, connector_probe.server) == (ProbeStatus.ANSWERED, SIPP_SERVER)
    assert vendor_probe.status == ProbeStatus.ERROR
    assert (
        vendor_probe.message
        == "0d5e7c1a-1111-2222-3333-444455556666.sip.vapi.ai does not resolve (no address)"
    )
