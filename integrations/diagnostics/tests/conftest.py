"""Fixtures of the diagnostics tests: the sandbox, and the calls app's real SIP peers (sipp, closed ports)."""

from calls.tests.conftest import closed_tcp_port, sipp_peer  # noqa: F401  (re-exported fixtures)
from sandbox.tests.conftest import aws_client, sandbox_server, sandbox_url  # noqa: F401  (re-exported)
