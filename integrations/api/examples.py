"""Request examples of the account and integration operations in the OpenAPI document: one body per kind,
valid as written (integrations/tests/test_api_schema.py sends each one)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample

from integrations.choices import AccountKind, IntegrationKind
from integrations.kinds import KINDS

#: ids the examples use for accounts (a client puts its own accounts' ids there)
EXAMPLE_ACCOUNT_IDS = {
    AccountKind.AWS: "0b9f3c1e-5a4d-4c3b-9e2f-1a2b3c4d5e6f",
    AccountKind.VAPI: "1c0a4d2f-6b5e-4d4c-8f3a-2b3c4d5e6f70",
    AccountKind.SYNTHFLOW: "2d1b5e3a-7c6f-4e5d-9a4b-3c4d5e6f7081",
    AccountKind.GENESYS: "3e2c6f4b-8d7a-4f6e-8b5c-4d5e6f708192",
    AccountKind.TWILIO: "4f3d7a5c-9e8b-4a7f-9c6d-5e6f708192a3",
}

ACCOUNT_EXAMPLES: dict[str, dict[str, Any]] = {
    AccountKind.AWS: {
        "name": "acme aws",
        "kind": "aws",
        "settings": {"role_arn": "arn:aws:iam::123456789012:role/patchbay", "region": "us-east-1"},
    },
    AccountKind.VAPI: {
        "name": "acme vapi",
        "kind": "vapi",
        "settings": {"region": "us"},
        "secrets": {"api_key": "vapi-private-key"},
    },
    AccountKind.SYNTHFLOW: {
        "name": "acme synthflow",
        "kind": "synthflow",
        "settings": {"region": "global", "workspace_id": "ws-1234"},
        "secrets": {"api_key": "synthflow-api-key"},
    },
    AccountKind.GENESYS: {
        "name": "acme genesys",
        "kind": "genesys",
        "settings": {"region": "us_east_1", "client_id": "7de3af06-c0b3-4f9b-af45-72f4a1403797"},
        "secrets": {"client_secret": "genesys-client-secret"},
    },
    AccountKind.TWILIO: {
        "name": "acme twilio",
        "kind": "twilio",
        "settings": {"account_sid": "AC0123456789abcdef0123456789abcdef"},
        "secrets": {"auth_token": "twilio-auth-token"},
    },
}


def _accounts_example(kind: str) -> dict[str, str]:
    return {str(k): EXAMPLE_ACCOUNT_IDS[k] for k in KINDS[kind].required_accounts}


INTEGRATION_EXAMPLES: dict[str, dict[str, Any]] = {
    IntegrationKind.CONNECT_VAPI: {
        "name": "support-line",
        "kind": "connect_vapi",
        "accounts": _accounts_example("connect_vapi"),
        "config": {
            "connect_instance_id": "8a2c1f4e-3b5d-4e6f-9a7b-0c1d2e3f4a5b",
            "area_code": "206",
            "vapi_assistant_id": "5d8f2a1c-4b3e-4f6a-8c9d-7e0f1a2b3c4d",
            "sip_uri_user": "support",
        },
        "policy": "heal",
    },
    IntegrationKind.CONNECT_SYNTHFLOW: {
        "name": "sales-line",
        "kind": "connect_synthflow",
        "accounts": _accounts_example("connect_synthflow"),
        "config": {
            "connect_instance_id": "8a2c1f4e-3b5d-4e6f-9a7b-0c1d2e3f4a5b",
            "area_code": "206",
            "synthflow_assistant_id": "asst-1234",
        },
    },
    IntegrationKind.GENESYS_SYNTHFLOW: {
        "name": "billing-line",
        "kind": "genesys_synthflow",
        "accounts": _accounts_example("genesys_synthflow"),
        "config": {
            "site_id": "c0ffee00-1111-4222-8333-444455556666",
            "inbound_identifier": "acme-billing",
            "phone_number": "+12065550100",
            "synthflow_assistant_id": "asst-1234",
        },
    },
    IntegrationKind.TWILIO_SYNTHFLOW: {
        "name": "front-desk",
        "kind": "twilio_synthflow",
        "accounts": _accounts_example("twilio_synthflow"),
        "config": {
            "twilio_number": "+12065550100",
            "synthflow_assistant_id": "asst-1234",
            "fallback": {"say": "Sorry, we cannot take your call right now."},
        },
    },
}

ACCOUNT_REQUEST_EXAMPLES = [
    OpenApiExample(f"{kind} account", value=body, request_only=True)
    for kind, body in ACCOUNT_EXAMPLES.items()
]
INTEGRATION_REQUEST_EXAMPLES = [
    OpenApiExample(kind, value=body, request_only=True) for kind, body in INTEGRATION_EXAMPLES.items()
]
