"""The sandbox's SIP stand-in answers OPTIONS for the vendors' SIP hosts, and its DNS resolves them.

A real UAC (sipp, Debian's sip-tester) sends the OPTIONS over UDP and TCP; the
Server header is read from sipp's message trace. The silent switch of the
control API makes a host stop answering, so a probe times out.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import dns.resolver
import httpx
import pytest

from sandbox.core.server import SandboxServer

SIPP = "/usr/bin/sipp"
SCENARIO = Path(__file__).parent / "sipp" / "options_uac.xml"
CREDENTIAL = "0f0e0d0c-0b0a-0908-0706-050403020100"
CONNECTOR_HOST = "abcdefghijklmnopqrstuv.voiceconnector.chime.aws"


def sipp_options(server: SandboxServer, host: str, transport: str, tmp_path: Path) -> tuple[int, str]:
    """Send one OPTIONS naming `host` with sipp; its exit status and the messages it traced."""
    if shutil.which(SIPP) is None:
        pytest.fail("sipp is missing: apt-get install -y sip-tester")
    messages = tmp_path / f"sipp-{transport}-{host}.log"
    command = [
        SIPP,
        f"127.0.0.1:{server.sip_port}",
        *("-sf", str(SCENARIO), "-key", "vendor_host", host, "-m", "1", "-nostdin"),
        *("-t", "u1" if transport == "udp" else "t1", "-i", "127.0.0.1", "-p", "0"),
        *("-trace_msg", "-message_file", str(messages), "-timeout", "15s"),
    ]
    finished = subprocess.run(command, capture_output=True, timeout=30, cwd=tmp_path, check=False)
    return finished.returncode, messages.read_text(errors="replace") if messages.exists() else ""


def server_header(trace: str) -> str | None:
    found = re.search(r"^SIP/2\.0 200 OK\r?\n(?:.*\r?\n)*?Server: (?P<server>[^\r\n]+)", trace, re.MULTILINE)
    return found["server"] if found else None


@pytest.mark.parametrize("transport", ["udp", "tcp"])
@pytest.mark.parametrize(
    ("host", "server"),
    [
        (f"{CREDENTIAL}.sip.vapi.ai", "Vapi sandbox"),
        ("sip.eu.synthflow.ai", "Synthflow sandbox"),
    ],
)
def test_options_to_a_vendor_host_gets_200_with_the_vendors_server_header(
    sandbox_server: SandboxServer, sandbox_url: str, tmp_path: Path, transport: str, host: str, server: str
) -> None:
    status, trace = sipp_options(sandbox_server, host, transport, tmp_path)

    assert status == 0, trace
    assert server_header(trace) == server


@pytest.mark.parametrize("host", [CONNECTOR_HOST, "pb-acme.byoc.usw2.pure.cloud"])
def test_a_connector_or_byoc_host_ignores_a_source_outside_its_allow_list(
    sandbox_server: SandboxServer, sandbox_url: str, tmp_path: Path, host: str
) -> None:
    """Chime and Genesys answer only the carriers they allow (issue 12.8): not a probe from elsewhere."""
    status, trace = sipp_options(sandbox_server, host, "udp", tmp_path)

    assert status != 0
    assert "message received" not in trace, trace
    seen = httpx.get(f"{sandbox_url}/_sandbox/sip").json()
    assert seen["answered"] == {} and sum(seen["not_allow_listed"].values()) >= 1


def test_a_connector_answers_a_source_its_termination_allows(
    sandbox_server: SandboxServer, sandbox_url: str, tmp_path: Path, aws_client: Any
) -> None:
    chime = aws_client("chime-sdk-voice")
    connector = chime.create_voice_connector(Name="pb-sip", RequireEncryption=False, AwsRegion="us-east-1")
    connector_id = connector["VoiceConnector"]["VoiceConnectorId"]
    chime.put_voice_connector_termination(
        VoiceConnectorId=connector_id,
        Termination={"CidrAllowedList": ["127.0.0.1/32"], "CallingRegions": ["US"], "Disabled": False},
    )

    status, trace = sipp_options(
        sandbox_server, connector["VoiceConnector"]["OutboundHostName"], "udp", tmp_path
    )

    assert status == 0, trace
    assert server_header(trace) == "Amazon Chime Voice Connector sandbox"


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_a_silent_host_times_out_while_the_others_still_answer(
    sandbox_server: SandboxServer, sandbox_url: str, tmp_path: Path, transport: str
) -> None:
    silent = f"{CREDENTIAL}.sip.vapi.ai"
    response = httpx.post(f"{sandbox_url}/_sandbox/sip", json={"silent_hosts": [silent]})
    assert response.status_code == 200
    assert response.json()["silent_hosts"] == [silent]

    status, trace = sipp_options(sandbox_server, silent, transport, tmp_path)
    assert status != 0
    assert "message received" not in trace, trace

    other_status, other_trace = sipp_options(sandbox_server, "sip.synthflow.ai", transport, tmp_path)
    assert other_status == 0
    assert server_header(other_trace) == "Synthflow sandbox"

    httpx.post(f"{sandbox_url}/_sandbox/reset").raise_for_status()
    again, trace = sipp_options(sandbox_server, silent, transport, tmp_path)
    assert again == 0
    assert server_header(trace) == "Vapi sandbox"


def test_a_host_that_is_no_vendors_edge_gets_no_answer(
    sandbox_server: SandboxServer, sandbox_url: str, tmp_path: Path
) -> None:
    status, trace = sipp_options(sandbox_server, "sip.example.com", "udp", tmp_path)

    assert status != 0
    assert "message received" not in trace, trace


def udp_exchange(server: SandboxServer, message: str, wait: float = 1.0) -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(wait)
        sock.sendto(message.encode(), ("127.0.0.1", server.sip_port))
        try:
            return sock.recv(65535).decode()
        except TimeoutError:
            return None


def request(method: str, host: str = "sip.synthflow.ai") -> str:
    return (
        f"{method} sip:+14155550100@{host}:32681 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKtest1\r\n"
        "From: <sip:t@127.0.0.1>;tag=abc\r\nTo: <sip:+14155550100@sip.synthflow.ai>\r\n"
        f"Call-ID: test-{method}@x\r\nCSeq: 7 {method}\r\nContent-Length: 0\r\n\r\n"
    )


@pytest.mark.parametrize(
    ("method", "first_line", "allow"),
    [
        ("INVITE", "SIP/2.0 405 Method Not Allowed", True),
        ("REGISTER", "SIP/2.0 405 Method Not Allowed", True),
        ("FROBNICATE", "SIP/2.0 501 Not Implemented", False),
    ],
)
def test_other_methods_are_refused_as_a_vendor_sbc_would(
    sandbox_server: SandboxServer, sandbox_url: str, method: str, first_line: str, allow: bool
) -> None:
    answer = udp_exchange(sandbox_server, request(method))

    assert answer is not None
    assert answer.splitlines()[0] == first_line
    assert f"CSeq: 7 {method}" in answer and f"Call-ID: test-{method}@x" in answer
    assert "Server: Synthflow sandbox" in answer
    assert ("Allow: INVITE, ACK, CANCEL, BYE, OPTIONS" in answer) is allow


def test_ack_is_never_answered(sandbox_server: SandboxServer, sandbox_url: str) -> None:
    assert udp_exchange(sandbox_server, request("ACK"), wait=0.5) is None


def test_silent_hosts_must_be_a_list_of_names(sandbox_url: str) -> None:
    response = httpx.post(f"{sandbox_url}/_sandbox/sip", json={"silent_hosts": "sip.vapi.ai"})

    assert response.status_code == 400
    assert "must be a list" in response.json()["detail"]


def test_the_sip_endpoint_is_advertised(sandbox_server: SandboxServer, sandbox_url: str) -> None:
    index = httpx.get(f"{sandbox_url}/_sandbox/").json()

    assert index["endpoints"]["sip"] == f"127.0.0.1:{sandbox_server.sip_port}"
    assert index["settings"]["PROBE_HOST_OVERRIDE"] == f"127.0.0.1:{sandbox_server.sip_port}"


# --- DNS: the vendors' SIP hosts that exist resolve, for Patchbay's probes ------------------------------


def resolve(server: SandboxServer, host: str) -> list[str]:
    answerer = dns.resolver.Resolver(configure=False)
    answerer.nameservers = ["127.0.0.1"]
    answerer.port = server.dns_port
    answerer.lifetime = 5
    return sorted(record.address for record in answerer.resolve(host, "A"))


@pytest.fixture
def vapi_credential(sandbox_url: str) -> dict[str, Any]:
    account = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "vapi"}).json()
    response = httpx.post(
        f"{sandbox_url}/vapi/credential",
        headers={"Authorization": f"Bearer {account['api_key']}"},
        json={"provider": "byo-sip-trunk", "name": "pb-acme-cred", "gateways": [{"ip": "99.77.253.10"}]},
    )
    response.raise_for_status()
    return response.json()


def test_an_existing_vapi_credential_host_resolves_to_vapis_sip_ips(
    sandbox_server: SandboxServer, vapi_credential: dict[str, Any]
) -> None:
    host = f"{vapi_credential['id']}.sip.vapi.ai"
    assert resolve(sandbox_server, host) == ["44.229.228.186", "44.238.177.138"]
    assert resolve(sandbox_server, f"{vapi_credential['id']}.sip.eu.vapi.ai") == ["63.182.83.170"]
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolve(sandbox_server, f"{CREDENTIAL}.sip.vapi.ai")


def test_synthflow_hosts_resolve_to_their_regions_signalling_ips(
    sandbox_server: SandboxServer, sandbox_url: str
) -> None:
    eu_ips = ["34.185.212.150", "34.89.186.33", "35.242.217.198"]
    assert resolve(sandbox_server, "sip.eu.synthflow.ai") == eu_ips
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolve(sandbox_server, "sip.xx.synthflow.ai")


def test_a_connectors_record_still_answers_its_signalling_ips(
    sandbox_server: SandboxServer, sandbox_url: str
) -> None:
    sandbox_server.sandbox.dns.set(CONNECTOR_HOST, ["99.77.253.10", "99.77.253.11"])

    assert resolve(sandbox_server, CONNECTOR_HOST) == ["99.77.253.10", "99.77.253.11"]
