"""The vendor sandbox for the whole test session (moved from sandbox/tests/conftest.py).

- `sandbox_server` (session): the whole sandbox served from a thread on free
  ports; `.url`, `.dns_port`, `.sandbox` (the `Sandbox` object).
- `sandbox_url`: resets every vendor, the ledger, faults, DNS and options, and
  returns the base URL; after the test, fails it if the Synthflow stand-in saw a
  request of Patchbay's, or gave an answer, that departs from Synthflow's
  published reference (sandbox/synthflow/conformance.py), or the Vapi stand-in
  one that departs from Vapi's SDK types (sandbox/vapi/conformance.py).
- `aws_client`: `aws_client("chime-sdk-voice", region="us-east-1", retries=...)`
  → a boto3 client pointed at the sandbox with dummy credentials and boto3's
  standard retry mode.

Registered once for the session: every app's tests share one sandbox server (each test resets it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

from sandbox.core.server import SandboxServer

DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    """The sandbox, served on free HTTP and UDP ports for the whole test session."""
    server = SandboxServer(host="127.0.0.1", port=0, dns_port=0)
    server.start()
    yield server
    server.close()


@pytest.fixture
def synthflow_refusal_expected() -> None:
    """Taken by a test that makes Patchbay's client send a request Synthflow refuses, on purpose
    (to see the refusal mapped): its refused requests are not conformance findings."""


@pytest.fixture
def sandbox_url(sandbox_server: SandboxServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A freshly reset sandbox's base URL; Synthflow exchanges of the test must conform."""
    response = httpx.post(f"{sandbox_server.url}/_sandbox/reset", timeout=30)
    response.raise_for_status()
    conformance = sandbox_server.sandbox.stand_in("synthflow").conformance
    since = conformance.mark()
    vapi = sandbox_server.sandbox.stand_in("vapi").conformance
    vapi_since = vapi.mark()
    yield sandbox_server.url
    findings = conformance.since(since)
    if "synthflow_refusal_expected" in request.fixturenames:
        findings = [f for f in findings if not (f.side == "request" and 400 <= f.status < 500)]
    assert not findings, "Synthflow exchanges that depart from reference.json:\n" + "\n".join(
        map(str, findings)
    )
    vapi_findings = vapi.since(vapi_since)
    assert not vapi_findings, "Vapi exchanges that depart from vapi_server_sdk's types:\n" + "\n".join(
        map(str, vapi_findings)
    )


@pytest.fixture
def aws_client(sandbox_server: SandboxServer) -> Callable[..., Any]:
    """Factory of boto3 clients that talk to the sandbox (standard retries unless told otherwise)."""

    def make(service: str, region: str = "us-east-1", retries: dict[str, Any] | None = None) -> Any:
        config = Config(retries=retries or {"mode": "standard"})
        return boto3.client(
            service, region_name=region, endpoint_url=sandbox_server.url, config=config, **DUMMY_CREDENTIALS
        )

    return make
