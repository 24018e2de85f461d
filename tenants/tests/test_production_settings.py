"""Production refuses to start on public defaults, and `check --deploy` is clean with real settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from controlplane.checks import DEVELOPMENT_SECRET_KEY, EXAMPLE_AWS_ACCOUNT_ID, legacy_fernet_key
from tenants.tests.settings_environment import generated_environment

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = secrets.token_urlsafe(60)
REFUSAL = "django.core.exceptions.ImproperlyConfigured"


def production_environment(**changes: str | None) -> dict[str, str]:
    """A deployment's environment (DEBUG off, every required value set), with `changes` (None: unset)."""
    env = {name: value for name, value in os.environ.items() if name not in generated_environment()}
    env.pop("DEBUG", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "controlplane.settings",
            "SECRET_KEY": SECRET_KEY,
            "FERNET_KEYS": Fernet.generate_key().decode(),
            "PATCHBAY_AWS_ACCOUNT_ID": "210987654321",
            "PUBLIC_BASE_URL": "https://patchbay.example.com",
            "ALLOWED_HOSTS": "patchbay.example.com",
            "EMAIL_URL": "smtp+tls://patchbay:hunter2@mail.example.com:587",
            "ALLOW_PRIVATE_TARGETS": "false",
        }
    )
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = manage(production_environment(), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECRET_KEY", None),
        ("SECRET_KEY", DEVELOPMENT_SECRET_KEY),
        ("FERNET_KEYS", None),
        ("FERNET_KEYS", legacy_fernet_key(SECRET_KEY)),  # what used to be derived from SECRET_KEY
        ("FERNET_KEYS", legacy_fernet_key(DEVELOPMENT_SECRET_KEY)),
        ("PATCHBAY_AWS_ACCOUNT_ID", None),
        ("PATCHBAY_AWS_ACCOUNT_ID", EXAMPLE_AWS_ACCOUNT_ID),
        ("PUBLIC_BASE_URL", None),
    ],
    # Named ids: a generated key in an id would differ between pytest-xdist workers.
    ids=[
        "SECRET_KEY-unset",
        "SECRET_KEY-development",
        "FERNET_KEYS-unset",
        "FERNET_KEYS-derived-from-SECRET_KEY",
        "FERNET_KEYS-derived-from-development-key",
        "PATCHBAY_AWS_ACCOUNT_ID-unset",
        "PATCHBAY_AWS_ACCOUNT_ID-example",
        "PUBLIC_BASE_URL-unset",
    ],
)
def test_production_refuses_to_start_on_a_missing_or_default_value(name: str, value: str | None) -> None:
    result = manage(production_environment(**{name: value}), "check")

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(
        "django.core.exceptions.ImproperlyConfigured: Refusing to start with DEBUG off:"
    )
    assert name in last_line
    others = {"SECRET_KEY", "FERNET_KEYS", "PATCHBAY_AWS_ACCOUNT_ID", "PUBLIC_BASE_URL"} - {name}
    assert not any(other in last_line for other in others), last_line  # it names the one at fault


def test_an_old_derived_key_may_stay_behind_the_new_one_while_secrets_are_rotated() -> None:
    keys = f"{Fernet.generate_key().decode()},{legacy_fernet_key(SECRET_KEY)}"

    result = manage(production_environment(FERNET_KEYS=keys), "check", "--deploy")

    assert result.returncode == 0, result.stderr
    assert "patchbay.W002" in result.stderr + result.stdout  # ... with a warning to finish the rotation


def test_check_deploy_reports_public_defaults_even_with_debug_on() -> None:
    env = production_environment(
        DEBUG="true", SECRET_KEY=None, FERNET_KEYS=None, PATCHBAY_AWS_ACCOUNT_ID=None
    )

    result = manage(env, "check", "--deploy")
    output = result.stdout + result.stderr

    assert result.returncode != 0
    for check_id in ("patchbay.E001", "patchbay.E002", "patchbay.E003", "security.W018"):
        assert check_id in output, output


def test_production_serves_https_only_with_secure_cookies() -> None:
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=production_environment(), capture_output=True, text=True
    )

    assert result.stdout.split() == ["True", "True", "True", str(365 * 24 * 3600)], result.stderr
