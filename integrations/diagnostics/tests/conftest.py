"""Fixtures of the diagnostics tests: the sandbox, and the calls app's real SIP peers (sipp, closed ports)."""

import pytest

from calls.tests.conftest import closed_tcp_port, sipp_peer  # noqa: F401  (re-exported fixtures)
from integrations.tests.engine_support import sandbox_settings
from sandbox.tests.conftest import aws_client, sandbox_server, sandbox_url  # noqa: F401  (re-exported)


@pytest.fixture
def vendors_at_sandbox(sandbox_url: str, settings: object, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    """Every vendor base URL at the (freshly reset) sandbox, so no test reaches a real vendor."""
    for key, value in sandbox_settings(sandbox_url).items():
        setattr(settings, key, value)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return sandbox_url
