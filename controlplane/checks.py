"""Deployment safety: what production refuses to start with, and the matching `check --deploy` checks.

With DEBUG off, settings.py raises on any problem `deployment_problems()` finds
(one line naming each variable), so no process serves on a public default key.
The same findings are `check --deploy` errors, which also catches them where
DEBUG is on (`DEBUG=true manage.py check --deploy` before a release). Pure
functions first: settings.py calls them before Django is set up.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from typing import Any

from django.core import checks

#: the SECRET_KEY Patchbay used with nothing set, in the repository since the start: public
DEVELOPMENT_SECRET_KEY = "patchbay-dev-only-secret-key-change-me-in-production"
#: the Fernet key DEBUG uses with FERNET_KEYS unset: in the repository, so public
DEVELOPMENT_FERNET_KEY = base64.urlsafe_b64encode(b"patchbay-development-only-fernet").decode()
#: AWS's documentation example account id, once Patchbay's default: it is nobody's account
EXAMPLE_AWS_ACCOUNT_ID = "123456789012"
AWS_ACCOUNT_ID_PATTERN = re.compile(r"^\d{12}$")
#: shortest SECRET_KEY accepted (Django's own deploy check asks for 50 characters)
MIN_SECRET_KEY_LENGTH = 50


def legacy_fernet_key(secret_key: str) -> str:
    """The Fernet key Patchbay once derived from SECRET_KEY when FERNET_KEYS was unset.

    Never used to encrypt any more: only to name it in the refusal, and so that an old
    database can be read once (FERNET_KEYS=new,legacy; then `manage.py rotate_secrets`).
    """
    return base64.urlsafe_b64encode(hashlib.sha256(("fernet:" + secret_key).encode()).digest()).decode()


def _public_fernet_keys(secret_key: str) -> set[str]:
    return {DEVELOPMENT_FERNET_KEY, legacy_fernet_key(DEVELOPMENT_SECRET_KEY), legacy_fernet_key(secret_key)}


def deployment_problems(
    *, secret_key: str, fernet_keys: Sequence[str], aws_account_id: str, public_base_url: str
) -> list[str]:
    """What makes these values unsafe for a deployment, one sentence per variable (empty: all good)."""
    problems = []
    if not secret_key or secret_key == DEVELOPMENT_SECRET_KEY:
        problems.append("SECRET_KEY is unset or still the development default")
    elif len(secret_key) < MIN_SECRET_KEY_LENGTH:
        problems.append(f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters")
    keys = [key for key in fernet_keys if key]
    if not keys:
        problems.append("FERNET_KEYS is unset")
    elif keys[0] in _public_fernet_keys(secret_key):
        # Only the first key encrypts; a public key further down is allowed so that old rows can
        # still be read while `manage.py rotate_secrets` moves them to the new one.
        problems.append(
            "FERNET_KEYS starts with a public default key (or the key once derived from the signing key)"
        )
    if not aws_account_id or aws_account_id == EXAMPLE_AWS_ACCOUNT_ID:
        problems.append("PATCHBAY_AWS_ACCOUNT_ID is unset or still the example 123456789012")
    elif not AWS_ACCOUNT_ID_PATTERN.match(aws_account_id):
        problems.append("PATCHBAY_AWS_ACCOUNT_ID is not a 12-digit AWS account id")
    if not public_base_url:
        problems.append("PUBLIC_BASE_URL is unset")
    return problems


def refusal_message(problems: Sequence[str]) -> str:
    """The one line a process prints when it refuses to start."""
    return "Refusing to start with DEBUG off: " + "; ".join(problems) + " (see README, Production)."


@checks.register(checks.Tags.security, deploy=True)
def check_deployment_secrets(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`check --deploy`: the same findings as the start-up refusal, as errors (also with DEBUG on)."""
    from django.conf import settings

    problems = deployment_problems(
        secret_key=settings.SECRET_KEY,
        fernet_keys=settings.FERNET_KEYS,
        aws_account_id=settings.PATCHBAY_AWS_ACCOUNT_ID,
        public_base_url=settings.PUBLIC_BASE_URL,
    )
    return [
        checks.Error(f"{problem}.", hint="Set it in the environment.", id=f"patchbay.E00{index}")
        for index, problem in enumerate(problems, start=1)
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_public_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`check --deploy`: settings a deployment should not keep at their laptop values."""
    from django.conf import settings

    found: list[checks.CheckMessage] = []
    if settings.PUBLIC_BASE_URL and not settings.PUBLIC_BASE_URL.startswith("https://"):
        found.append(
            checks.Warning(
                "PUBLIC_BASE_URL is not https: vendors would call webhooks in clear text.",
                id="patchbay.W001",
            )
        )
    if any(key in _public_fernet_keys(settings.SECRET_KEY) for key in settings.FERNET_KEYS[1:]):
        found.append(
            checks.Warning(
                "FERNET_KEYS still lists a public key for reading old secrets.",
                hint="Run `manage.py rotate_secrets`, then remove it.",
                id="patchbay.W002",
            )
        )
    if settings.EMAIL_BACKEND.endswith(("console.EmailBackend", "locmem.EmailBackend", "dummy.EmailBackend")):
        found.append(
            checks.Warning(
                "EMAIL_URL is unset: invitation emails are only written to the log.",
                hint="Set EMAIL_URL, e.g. smtp+tls://user:password@mail.example.com:587.",
                id="patchbay.W003",
            )
        )
    if settings.ALLOW_PRIVATE_TARGETS:
        found.append(
            checks.Warning(
                "ALLOW_PRIVATE_TARGETS is on: tenants can make Patchbay call private addresses.",
                id="patchbay.W004",
            )
        )
    return found
