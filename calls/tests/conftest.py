"""Fixtures for the calls app's tests: connector logs in the sandbox. The SIP peers (sipp, a TLS peer,
silent and closed ports), the sandbox and the engine's fixtures are the test kit's (testing/plugins/).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from calls.tests.sandbox_logs import ConnectorLogs, build_connector_logs


@pytest.fixture
def connector_logs(
    db: Any,
    sandbox_url: str,
    aws_client: Callable[..., Any],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> ConnectorLogs:
    """A connect_vapi integration whose SIP and Lambda logs live in the sandbox (see sandbox_logs.py)."""
    settings.AWS_ENDPOINT_URL = sandbox_url
    # Patchbay's own base credentials, used only to assume the customer's role (the sandbox takes any).
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return build_connector_logs(sandbox_url, aws_client)
