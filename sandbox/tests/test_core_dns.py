"""The sandbox's DNS server answers connector host names, and the control API moves their IPs."""

from __future__ import annotations

import dns.resolver
import httpx
import pytest

from sandbox.core.server import SandboxServer

CONNECTOR = "abcdefghijklmnopqrstuv"
HOST = f"{CONNECTOR}.voiceconnector.chime.aws"


def resolver(server: SandboxServer) -> dns.resolver.Resolver:
    """A dnspython resolver asking only the sandbox, as Patchbay does with CHIME_DNS_SERVER."""
    answerer = dns.resolver.Resolver(configure=False)
    answerer.nameservers = ["127.0.0.1"]
    answerer.port = server.dns_port
    answerer.lifetime = 5
    return answerer


@pytest.fixture
def connector(sandbox_server: SandboxServer, sandbox_url: str) -> str:
    # The Chime stand-in writes this record when a connector is created (sandbox.core.dns_records).
    sandbox_server.sandbox.dns.set(HOST, ["99.77.253.10", "99.77.253.11"])
    return CONNECTOR


def test_connector_host_resolves_to_its_signalling_ips(sandbox_server: SandboxServer, connector: str) -> None:
    answer = resolver(sandbox_server).resolve(HOST, "A")

    assert sorted(r.address for r in answer) == ["99.77.253.10", "99.77.253.11"]
    assert answer.rrset is not None and answer.rrset.ttl == 5


def test_unknown_host_is_nxdomain(sandbox_server: SandboxServer, sandbox_url: str) -> None:
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolver(sandbox_server).resolve("zzzzzzzzzzzzzzzzzzzzzz.voiceconnector.chime.aws", "A")


def test_known_host_has_no_aaaa_records(sandbox_server: SandboxServer, connector: str) -> None:
    with pytest.raises(dns.resolver.NoAnswer):
        resolver(sandbox_server).resolve(HOST, "AAAA")


def test_put_dns_moves_the_connector_to_new_ips(
    sandbox_server: SandboxServer, sandbox_url: str, connector: str
) -> None:
    response = httpx.put(
        f"{sandbox_url}/_sandbox/dns/{connector}", json={"ips": ["99.77.253.40", "99.77.253.41"]}
    )

    assert response.json() == {"host": HOST, "ips": ["99.77.253.40", "99.77.253.41"]}
    answer = resolver(sandbox_server).resolve(HOST, "A")
    assert sorted(r.address for r in answer) == ["99.77.253.40", "99.77.253.41"]
    assert httpx.get(f"{sandbox_url}/_sandbox/dns/{connector}").json()["ips"] == [
        "99.77.253.40",
        "99.77.253.41",
    ]


@pytest.mark.parametrize(
    ("connector_id", "body", "message"),
    [
        (CONNECTOR, {"ips": ["2001:db8::1"]}, "'2001:db8::1' is not an IPv4 address"),
        (CONNECTOR, {"ips": ["99.77.253.300"]}, "is not an IPv4 address"),
        (CONNECTOR, {"ips": []}, "non-empty list"),
        ("zzzzzzzzzzzzzzzzzzzzzz", {"ips": ["99.77.253.40"]}, "no voice connector 'zzzzzzzzzzzzzzzzzzzzzz'"),
    ],
)
def test_put_dns_refuses_bad_ips_and_unknown_connectors(
    sandbox_server: SandboxServer,
    sandbox_url: str,
    connector: str,
    connector_id: str,
    body: dict[str, list[str]],
    message: str,
) -> None:
    response = httpx.put(f"{sandbox_url}/_sandbox/dns/{connector_id}", json=body)

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert sorted(r.address for r in resolver(sandbox_server).resolve(HOST, "A")) == [
        "99.77.253.10",
        "99.77.253.11",
    ]
