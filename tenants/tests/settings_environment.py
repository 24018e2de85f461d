"""pytest plugin (`-p tenants.tests.settings_environment` in pyproject.toml): the test settings' environment.

With DEBUG off, settings.py refuses to start without real deployment values
(SECRET_KEY, FERNET_KEYS, PATCHBAY_AWS_ACCOUNT_ID, PUBLIC_BASE_URL), so the
tests bring their own before pytest-django imports the settings: fresh keys
per session, plain HTTP (the test client and live servers speak no TLS), and a
per-process cache so throttle counters never leak between test sessions.
Child processes (Celery workers, live servers) inherit them. A value already
in the environment wins, so `SECRET_KEY=... pytest` still works.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

import pytest
from cryptography.fernet import Fernet

#: an account id that is not AWS's documentation example (which production refuses)
TEST_AWS_ACCOUNT_ID = "210987654321"


def generated_environment() -> dict[str, str]:
    """The variables the test settings need, freshly generated."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(60),
        "FERNET_KEYS": Fernet.generate_key().decode(),
        "PATCHBAY_AWS_ACCOUNT_ID": TEST_AWS_ACCOUNT_ID,
        "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        # Tests count throttled requests exactly: per process, cleared before each test.
        "CACHE_URL": "locmemcache://",
        # Saving an account or integration checks it at the vendor: off unless a test points
        # Patchbay at the sandbox and switches it on (integrations/connection_checks.py).
        "VENDOR_CHECKS_ON_SAVE": "false",
    }


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: Any) -> None:
    """Runs before pytest-django loads the settings."""
    for name, value in generated_environment().items():
        os.environ.setdefault(name, value)
