"""Fixtures of the diagnostics tests (the sandbox and the SIP peers are the test kit's, testing/plugins/)."""

import pytest

from integrations.tests.engine_support import sandbox_settings


@pytest.fixture
def vendors_at_sandbox(sandbox_url: str, settings: object, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every vendor base URL at the (freshly reset) sandbox, so no test reaches a real vendor."""
    for key, value in sandbox_settings(sandbox_url).items():
        setattr(settings, key, value)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return sandbox_url
