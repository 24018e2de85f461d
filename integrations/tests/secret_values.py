"""Distinctive secret values of every provider kind, for the tests proving no secret comes out of Patchbay
(moved out of test_secrets_exposure.py, which test_dashboard_secrets.py imported)."""

from __future__ import annotations

from django.db import models

from integrations.choices import AccountKind
from tenants.models import Tenant

#: one distinctive value per secret of every kind, and the values they are rotated to
SECRETS = {
    AccountKind.VAPI: {"api_key": "vapi-LEAKCHECK-a1b2c3d4e5"},
    AccountKind.SYNTHFLOW: {"api_key": "synthflow-LEAKCHECK-f6g7h8i9"},
    AccountKind.GENESYS: {"client_secret": "genesys-LEAKCHECK-j0k1l2m3"},
    AccountKind.TWILIO: {"auth_token": "twilio-LEAKCHECK-n4o5p6q7"},
}
ROTATED = {
    kind: {name: value + "-rotated" for name, value in values.items()} for kind, values in SECRETS.items()
}
BAD_SECRET = "malformed-LEAKCHECK-\nsecond-line"


def all_secret_values() -> list[str]:
    values = [v for secrets in (*SECRETS.values(), *ROTATED.values()) for v in secrets.values()]
    return [*values, BAD_SECRET, BAD_SECRET.splitlines()[0]]


def objects_of(model: type[models.Model], tenant: Tenant) -> list[models.Model]:
    if model is Tenant:
        return [tenant]
    return list(model._default_manager.for_tenant(tenant))  # type: ignore[attr-defined]
