"""Provider accounts through the dashboard: per-vendor forms, write-only secrets, the AWS trust policy."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from integrations.account_settings import SECRET_NAMES, SETTINGS_SCHEMAS
from integrations.choices import AccountKind
from integrations.models import ProviderAccount
from integrations.tests.factories import (
    VALID_SECRETS,
    VALID_SETTINGS,
    IntegrationFactory,
    ProviderAccountFactory,
)
from tenants.audit import MASK
from tenants.choices import AuditAction, Role
from tenants.models import AuditEvent
from testing.html import field_errors
from testing.world import TenantWorld

NEW = reverse("integrations:account-new")

#: per vendor, a wrong value for every setting and secret
BAD_INPUT: dict[str, dict[str, str]] = {
    AccountKind.AWS: {"settings.role_arn": "arn:aws:iam::12:user/bob", "settings.region": "mars-north-1"},
    AccountKind.VAPI: {"settings.region": "asia", "secrets.api_key": ""},
    AccountKind.SYNTHFLOW: {
        "settings.region": "moon",
        "settings.workspace_id": "not an id!",
        "secrets.api_key": "   ",
    },
    AccountKind.GENESYS: {
        "settings.region": "us_moon_1",
        "settings.client_id": "",
        "secrets.client_secret": "",
    },
    AccountKind.TWILIO: {"settings.account_sid": "AC123", "secrets.auth_token": "line one\nline two"},
}


def account_post(kind: str, name: str = "main") -> dict[str, str]:
    """The create form's body for a valid account of `kind`."""
    data = {"name": name}
    data.update({f"settings.{k}": str(v) for k, v in VALID_SETTINGS[kind].items()})
    data.update({f"secrets.{k}": v for k, v in VALID_SECRETS[kind].items()})
    return data


@pytest.fixture
def operator(world: TenantWorld, dashboard_client: Callable[[Any], Client]) -> Client:
    return dashboard_client(world.users[Role.OPERATOR])


@pytest.mark.parametrize("kind", AccountKind.values)
def test_an_account_of_each_vendor_is_created_through_its_form(
    world: TenantWorld, operator: Client, kind: str
) -> None:
    response = operator.post(f"{NEW}?kind={kind}", account_post(kind), follow=True)

    account = ProviderAccount.objects.get(tenant=world.tenant, name="main")
    assert response.redirect_chain[-1][0] == reverse("integrations:account-detail", args=[account.pk])
    assert account.kind == kind
    assert account.settings == VALID_SETTINGS[kind]
    assert account.read_secrets() == VALID_SECRETS[kind]
    html = response.content.decode()
    assert "Provider account main created." in html
    for name in SECRET_NAMES[kind]:
        assert f'<dt>{name}</dt><dd><span class="badge badge-green">set</span>' in html
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_CREATED, object_id=str(account.pk)).exists()


def test_the_aws_page_shows_the_external_id_and_the_trust_policy_to_paste(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    account = ProviderAccountFactory(tenant=world.tenant, kind=AccountKind.AWS, name="aws")

    html = (
        dashboard_client(world.users[Role.VIEWER])
        .get(reverse("integrations:account-detail", args=[account.pk]))
        .content.decode()
    )

    assert len(account.external_id) >= 32
    assert f'<code id="external-id">{account.external_id}</code>' in html
    assert json.dumps(account.trust_policy(), indent=2) in unescape(html)
    assert '"sts:ExternalId": "' + account.external_id in unescape(html)
    assert 'data-copy-target="trust-policy"' in html


def test_the_aws_page_shows_the_permission_policy_beside_the_trust_policy_and_both_download(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    account = ProviderAccountFactory(tenant=world.tenant, kind=AccountKind.AWS, name="aws")
    client = dashboard_client(world.users[Role.VIEWER])

    html = client.get(reverse("integrations:account-detail", args=[account.pk])).content.decode()

    assert json.dumps(account.permission_policy(), indent=2) in unescape(html)
    assert 'data-copy-target="permission-policy"' in html
    for document, method in (("permission-policy", "permission_policy"), ("trust-policy", "trust_policy")):
        url = reverse(f"integrations:account-{document}", args=[account.pk])
        assert f'href="{url}"' in html
        download = client.get(url)
        assert download["Content-Disposition"] == f'attachment; filename="patchbay-{document}.json"'
        assert json.loads(download.content) == getattr(account, method)()
    vapi = ProviderAccountFactory(tenant=world.tenant, kind=AccountKind.VAPI, name="vapi")
    vapi_download = reverse("integrations:account-permission-policy", args=[vapi.pk])
    assert client.get(vapi_download).status_code == 404


def test_the_bad_input_table_covers_every_setting_and_secret() -> None:
    for kind in AccountKind.values:
        expected = {f"settings.{name}" for name in SETTINGS_SCHEMAS[kind]().fields}
        expected |= {f"secrets.{name}" for name in SECRET_NAMES[kind]}
        assert set(BAD_INPUT[kind]) == expected, kind


@pytest.mark.parametrize(("kind", "field"), [(k, f) for k, fields in BAD_INPUT.items() for f in fields])
def test_a_bad_setting_or_secret_is_named_beside_its_field_and_nothing_is_saved(
    world: TenantWorld, operator: Client, kind: str, field: str
) -> None:
    typed = {**account_post(kind), field: BAD_INPUT[kind][field]}
    before = (ProviderAccount.objects.count(), AuditEvent.objects.count())

    response = operator.post(f"{NEW}?kind={kind}", typed)

    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html, field), f"no error beside {field}"
    assert (ProviderAccount.objects.count(), AuditEvent.objects.count()) == before


def test_a_blank_or_taken_name_is_refused(world: TenantWorld, operator: Client) -> None:
    ProviderAccountFactory(tenant=world.tenant, kind=AccountKind.VAPI, name="taken")

    blank = operator.post(f"{NEW}?kind=vapi", account_post("vapi", name=""))
    taken = operator.post(f"{NEW}?kind=vapi", account_post("vapi", name="taken"))

    assert field_errors(blank.content.decode(), "name") == ["Give a name of 1-100 characters."]
    assert field_errors(taken.content.decode(), "name") == [
        "A provider account with this name already exists."
    ]
    assert ProviderAccount.objects.filter(tenant=world.tenant).count() == 1


def test_secrets_are_never_rendered_back_and_an_empty_one_keeps_its_value(
    world: TenantWorld, operator: Client
) -> None:
    account = ProviderAccountFactory(tenant=world.tenant, kind=AccountKind.GENESYS, name="genesys")
    url = reverse("integrations:account-edit", args=[account.pk])

    form = operator.get(url).content.decode()
    password_inputs = re.findall(r"<input[^>]*type=\"password\"[^>]*>", form)
    assert len(password_inputs) == 1
    assert "value=" not in password_inputs[0]
    assert "client_secret" in form
    assert '<span class="secret-state badge badge-green">set</span>' in form

    renamed = {**account_post("genesys", name="genesys eu"), "secrets.client_secret": ""}
    operator.post(url, renamed)
    account.refresh_from_db()
    assert account.name == "genesys eu"
    assert account.read_secrets() == VALID_SECRETS[AccountKind.GENESYS]

    operator.post(url, {**renamed, "secrets.client_secret": "brand-new-secret"})
    account.refresh_from_db()
    assert account.read_secrets() == {"client_secret": "brand-new-secret"}
    event = AuditEvent.objects.filter(action=AuditAction.ACCOUNT_UPDATED).latest("at")
    assert event.diff == {"secrets.client_secret": [MASK, MASK]}


def test_an_account_in_use_is_not_deleted_and_the_page_says_why(world: TenantWorld, operator: Client) -> None:
    integration = IntegrationFactory(tenant=world.tenant, name="calls")
    used = integration.account("twilio")
    unused = ProviderAccountFactory(tenant=world.tenant, kind=AccountKind.VAPI, name="spare")

    refused = operator.post(reverse("integrations:account-delete", args=[used.pk]), follow=True)
    deleted = operator.post(reverse("integrations:account-delete", args=[unused.pk]), follow=True)

    assert ProviderAccount.objects.filter(pk=used.pk).exists()
    assert "used by integration(s) calls" in refused.content.decode()
    assert not ProviderAccount.objects.filter(pk=unused.pk).exists()
    assert "spare (vapi) deleted." in deleted.content.decode()


def test_list_shows_settings_secret_state_and_use(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, name="calls")
    ProviderAccountFactory(tenant=world.tenant, kind=AccountKind.VAPI, name="keyless", secrets={})

    html = (
        dashboard_client(world.users[Role.VIEWER]).get(reverse("integrations:account-list")).content.decode()
    )

    assert f"account_sid={VALID_SETTINGS['twilio']['account_sid']}" in html
    assert "auth_token set" in html
    assert "api_key not set" in html
    assert "1 integration" in html
    assert "unused" in html
    assert integration.account("synthflow").name in html


def test_empty_accounts_page_says_what_to_add(world: TenantWorld, operator: Client) -> None:
    html = operator.get(reverse("integrations:account-list")).content.decode()

    assert "No provider accounts yet" in html
    assert "an AWS role for Amazon Connect and Chime" in html
