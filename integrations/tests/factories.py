"""Test data for integrations: valid settings, secrets and config per kind, and model factories."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from integrations.choices import AccountKind, IntegrationKind
from integrations.kinds import get_kind
from integrations.models import Integration, ProviderAccount
from tenants.tests.factories import TenantFactory

#: settings that pass validation, per account kind
VALID_SETTINGS: dict[str, dict[str, Any]] = {
    AccountKind.AWS: {"role_arn": "arn:aws:iam::210987654321:role/patchbay-access", "region": "us-east-1"},
    AccountKind.VAPI: {"region": "us"},
    AccountKind.SYNTHFLOW: {"region": "global", "workspace_id": "ws-1234"},
    AccountKind.GENESYS: {"region": "us_west_2", "client_id": "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"},
    AccountKind.TWILIO: {"account_sid": "AC" + "0123456789abcdef" * 2},
}

#: secret values per account kind; each is distinctive so a leak is easy to spot
VALID_SECRETS: dict[str, dict[str, str]] = {
    AccountKind.AWS: {},
    AccountKind.VAPI: {"api_key": "vapi-SECRET-7f3a9c1e5b"},
    AccountKind.SYNTHFLOW: {"api_key": "synthflow-SECRET-2d8e4f6a0c"},
    AccountKind.GENESYS: {"client_secret": "genesys-SECRET-9b1d3f5h7j"},
    AccountKind.TWILIO: {"auth_token": "twilio-SECRET-4c6e8a0b2d"},
}

#: config that passes validation, per integration kind
VALID_CONFIG: dict[str, dict[str, Any]] = {
    IntegrationKind.CONNECT_VAPI: {
        "connect_instance_id": "8a7b6c5d-4e3f-2a1b-0c9d-8e7f6a5b4c3d",
        "area_code": "206",
        "vapi_assistant_id": "asst-0001",
        "sip_uri_user": "patchbay",
    },
    IntegrationKind.CONNECT_SYNTHFLOW: {
        "connect_instance_id": "8a7b6c5d-4e3f-2a1b-0c9d-8e7f6a5b4c3d",
        "area_code": "415",
        "synthflow_assistant_id": "model-0001",
    },
    IntegrationKind.GENESYS_SYNTHFLOW: {
        "site_id": "c0ffee00-1111-2222-3333-444455556666",
        "inbound_identifier": "acme-synthflow",
        "phone_number": "+12065550123",
        "synthflow_assistant_id": "model-0002",
    },
    IntegrationKind.TWILIO_SYNTHFLOW: {
        "twilio_number": "+14155550100",
        "synthflow_assistant_id": "model-0003",
    },
}


class ProviderAccountFactory(DjangoModelFactory):
    """A provider account of `kind` (vapi unless told) with valid settings and secrets."""

    class Meta:
        model = ProviderAccount
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    kind = AccountKind.VAPI
    name = factory.Sequence(lambda n: f"account {n}")
    settings = factory.LazyAttribute(lambda account: dict(VALID_SETTINGS[account.kind]))

    @factory.post_generation
    def secrets(account: ProviderAccount, create: bool, extracted: Any, **kwargs: Any) -> None:
        account.set_secrets(dict(VALID_SECRETS[account.kind]) if extracted is None else extracted)
        if create:
            account.save()


class IntegrationFactory(DjangoModelFactory):
    """An integration of `kind` (twilio_synthflow unless told) with fresh accounts of the tenant."""

    class Meta:
        model = Integration
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    kind = IntegrationKind.TWILIO_SYNTHFLOW
    name = factory.Sequence(lambda n: f"integration-{n}")
    config = factory.LazyAttribute(lambda i: get_kind(i.kind).validate_config(VALID_CONFIG[i.kind]))

    @factory.post_generation
    def accounts(integration: Integration, create: bool, extracted: Any, **kwargs: Any) -> None:
        accounts = extracted or {
            kind: ProviderAccountFactory(tenant=integration.tenant, kind=kind)
            for kind in get_kind(integration.kind).required_accounts
        }
        integration.set_accounts(accounts)
        if create:
            integration.save()
