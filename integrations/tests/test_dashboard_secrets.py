"""Provider secrets typed into the dashboard never come back out: not in any page, audit event or log.

The dashboard half of integrations/tests/test_secrets_exposure.py (the API half),
with the same secret values and the same walk over every route of the project.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from integrations.choices import AccountKind
from integrations.models import ProviderAccount
from integrations.tests.factories import VALID_CONFIG, VALID_SETTINGS
from integrations.tests.secret_values import BAD_SECRET, ROTATED, SECRETS, all_secret_values, objects_of
from tenants.choices import Role
from tenants.models import AuditEvent
from tenants.tests.routes import NON_TENANT_ROUTES, walk_routes
from testing.world import TenantWorld

NEW_ACCOUNT = reverse("integrations:account-new")


def form_body(kind: str, name: str, secrets: dict[str, str]) -> dict[str, str]:
    """The account form's fields for `kind` with these secrets."""
    body = {"name": name, **{f"settings.{k}": str(v) for k, v in VALID_SETTINGS[kind].items()}}
    body.update({f"secrets.{k}": v for k, v in secrets.items()})
    return body


def page(response: Any) -> str:
    """Status and body of a response, as a reader of the page would get it."""
    content = getattr(response, "content", b"") or b"".join(getattr(response, "streaming_content", []))
    return f"{response.status_code} {content.decode(errors='replace')}"


def test_no_secret_typed_into_the_dashboard_reaches_a_page_audit_event_or_log(
    world: TenantWorld,
    dashboard_client: Callable[[Any], Client],
    all_loggers_at_debug: pytest.LogCaptureFixture,
) -> None:
    client = dashboard_client(world.users[Role.OPERATOR])
    seen: list[str] = []
    accounts: dict[str, ProviderAccount] = {}
    for kind, secrets in SECRETS.items():
        created = client.post(
            f"{NEW_ACCOUNT}?kind={kind}", form_body(kind, f"{kind} main", secrets), follow=True
        )
        seen.append(page(created))
        accounts[kind] = account = ProviderAccount.objects.get(tenant=world.tenant, name=f"{kind} main")
        edit = reverse("integrations:account-edit", args=[account.pk])
        seen.append(page(client.post(edit, form_body(kind, f"{kind} main", ROTATED[kind]), follow=True)))
        # Refused input is shown again with its errors: the secret field must come back empty.
        name = next(iter(secrets))
        refused = client.post(edit, {**form_body(kind, "", {name: BAD_SECRET})})
        first_setting = f"settings.{next(iter(VALID_SETTINGS[kind]))}"
        wrong_settings = client.post(
            f"{NEW_ACCOUNT}?kind={kind}", {**form_body(kind, f"{kind} x", secrets), first_setting: "no such!"}
        )
        assert refused.status_code == wrong_settings.status_code == 400
        seen += [page(refused), page(wrong_settings)]
    integration = client.post(
        f"{reverse('integrations:integration-new')}?kind=twilio_synthflow",
        {
            "name": "front-door",
            "policy": "heal",
            "accounts.twilio": str(accounts[AccountKind.TWILIO].pk),
            "accounts.synthflow": str(accounts[AccountKind.SYNTHFLOW].pk),
            **{f"config.{k}": v for k, v in VALID_CONFIG["twilio_synthflow"].items()},
        },
        follow=True,
    )
    assert integration.status_code == 200
    seen.append(page(integration))

    # Every page of the project a member can open, for every object of the tenant.
    owner = dashboard_client(world.users[Role.OWNER])
    fetched = 0
    for route in walk_routes():
        if route.is_format_variant or route.name in NON_TENANT_ROUTES or "GET" not in route.methods():
            continue
        model = route.model()
        for obj in objects_of(model, world.tenant) if route.object_kwargs and model else [None]:
            seen.append(f"{route.name} " + page(owner.get(route.url(obj))))
            fetched += 1
    assert fetched >= 25

    events = AuditEvent.objects.for_tenant(world.tenant)
    assert events.filter(action="account.updated").count() == len(SECRETS)
    seen.append(json.dumps(list(events.values()), default=str))
    logs = [record.getMessage() for record in all_loggers_at_debug.records]
    logs += [str(getattr(record, "request", "")) for record in all_loggers_at_debug.records]
    assert logs, "the capture saw nothing at all, so it proves nothing"
    for value in all_secret_values():
        assert not [text[:160] for text in seen if value in text], (
            f"{value} appears in a dashboard page or event"
        )
        assert not [line[:160] for line in logs if value in line], f"{value} appears in a log record"
    # ...while the vendor clients can still read them.
    for kind, rotated in ROTATED.items():
        assert ProviderAccount.objects.get(pk=accounts[kind].pk).read_secrets() == rotated
