"""`manage.py seed_demo`: the demo tenant `make run` logs you into, with accounts and integrations.

Idempotent: a second run changes nothing that exists and prints the same login.
With `--sandbox-url`, it asks the sandbox for one account per vendor
(`POST /_sandbox/accounts`) and creates one integration of each kind, all
through the same actions the dashboard and the API use.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.exceptions import APIException

from integrations import actions as integration_actions
from integrations.aws_permissions import permission_policy
from integrations.choices import AccountKind, IntegrationKind
from integrations.kinds import get_kind
from integrations.models import Integration, ProviderAccount
from tenants import actions as tenant_actions
from tenants.audit import Actor
from tenants.choices import Role
from tenants.models import Membership, Tenant

TENANT_SLUG = "demo"
TENANT_NAME = "Demo"
EMAIL = "demo@patchbay.local"
# The generated password is kept here (var/ is gitignored) so every run prints the same login.
PASSWORD_FILE = Path(settings.VAR_DIR) / "demo-password"
# An AWS account is created before its role exists: the role's trust policy needs
# the external id Patchbay generates on creation (the same order a customer follows).
PENDING_ROLE_ARN = "arn:aws:iam::000000000000:role/patchbay-demo-pending"
SANDBOX_TIMEOUT = 30.0


class Command(BaseCommand):
    """Seed the demo tenant and its owner; with a sandbox, also vendor accounts and integrations."""

    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="set this password for the demo user")
        parser.add_argument(
            "--password-file",
            type=Path,
            default=PASSWORD_FILE,
            help=f"where the generated password is kept between runs (default {PASSWORD_FILE})",
        )
        parser.add_argument(
            "--sandbox-url", help="the sandbox to take vendor accounts from, e.g. http://127.0.0.1:8700"
        )

    def handle(
        self,
        *args: Any,
        password: str | None = None,
        password_file: Path = PASSWORD_FILE,
        sandbox_url: str | None = None,
        **options: Any,
    ) -> None:
        user, password = self.demo_user(password, password_file)
        tenant = self.demo_tenant(user)
        if sandbox_url:
            try:
                accounts, details = self.demo_accounts(tenant, sandbox_url.rstrip("/"))
                self.demo_integrations(tenant, accounts, details)
            except httpx.HTTPError as error:
                raise CommandError(
                    f"The sandbox at {sandbox_url} did not answer as expected: {error}"
                ) from error
            except APIException as error:
                raise CommandError(f"A demo object was refused: {error.detail}") from error
            hint = connect_vapi_hint(tenant)
            if hint:
                self.stdout.write(hint)
        self.stdout.write(f"Tenant: {tenant.slug} ({tenant.name})")
        self.stdout.write(f"Login: {EMAIL} / {password}")

    def demo_user(self, password: str | None, password_file: Path) -> tuple[User, str]:
        """The demo user, with the given password, the remembered one, or a new one."""
        users = get_user_model().objects
        user = users.filter(username=EMAIL).first() or users.create_user(username=EMAIL, email=EMAIL)
        remembered = password_file.read_text().strip() if password_file.exists() else ""
        if password is None and remembered and user.check_password(remembered):
            return user, remembered
        password = password or secrets.token_urlsafe(12)
        user.set_password(password)
        user.save(update_fields=["password"])
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        return user, password

    def demo_tenant(self, user: User) -> Tenant:
        """Tenant `demo` with the demo user as an owner."""
        tenant = Tenant.objects.filter(slug=TENANT_SLUG).first()
        if tenant is None:
            return tenant_actions.create_tenant(TENANT_SLUG, TENANT_NAME, owner=user, actor=Actor.system())
        membership = Membership.objects.for_tenant(tenant).filter(user=user).first()
        if membership is None:
            tenant_actions.add_member(tenant, user, Role.OWNER, actor=Actor.system())
        elif membership.role != Role.OWNER:
            tenant_actions.change_member_role(membership, Role.OWNER, actor=Actor.system())
        return tenant

    def demo_accounts(
        self, tenant: Tenant, sandbox_url: str
    ) -> tuple[dict[str, ProviderAccount], dict[str, dict[str, Any]]]:
        """One provider account per vendor from the sandbox's ready-made accounts, and what the sandbox
        said about those created now (assistant ids, numbers) for the integrations."""
        existing = {a.name: a for a in ProviderAccount.objects.for_tenant(tenant)}
        accounts: dict[str, ProviderAccount] = {}
        details: dict[str, dict[str, Any]] = {}
        with httpx.Client(base_url=sandbox_url, timeout=SANDBOX_TIMEOUT) as sandbox:
            for kind in AccountKind.values:
                name = f"demo-{kind}"
                if name in existing:
                    accounts[kind] = existing[name]
                    continue
                accounts[kind], details[kind] = self.create_account(tenant, kind, name, sandbox)
                self.stdout.write(f"Created provider account {name}")
        return accounts, details

    @transaction.atomic
    def create_account(
        self, tenant: Tenant, kind: str, name: str, sandbox: httpx.Client
    ) -> tuple[ProviderAccount, dict[str, Any]]:
        """A provider account for `kind` at the sandbox, and the sandbox's description of it."""
        actor = Actor.system()
        if kind == AccountKind.AWS:
            account = integration_actions.create_provider_account(
                tenant,
                name=name,
                kind=kind,
                settings={"role_arn": PENDING_ROLE_ARN, "region": "us-east-1"},
                secrets={},
                actor=actor,
            )
            # The sandbox role gets exactly the policy the account page shows (any account id: the sandbox's).
            body: dict[str, Any] = {
                "vendor": "aws",
                "external_id": account.external_id,
                "permission_policy": permission_policy(),
            }
            given = self.sandbox_account(sandbox, body)
            account = integration_actions.update_provider_account(
                account, settings={"role_arn": given["role_arn"], "region": given["region"]}, actor=actor
            )
        else:
            body = {"vendor": kind}
            if kind == AccountKind.SYNTHFLOW:
                # An inbound assistant takes one phone number: one assistant per Synthflow integration.
                body["assistants"] = len(SYNTHFLOW_KINDS_SEEDED)
            given = self.sandbox_account(sandbox, body)
            vendor_settings, vendor_secrets = account_fields(kind, given)
            account = integration_actions.create_provider_account(
                tenant, name=name, kind=kind, settings=vendor_settings, secrets=vendor_secrets, actor=actor
            )
        return account, given

    @staticmethod
    def sandbox_account(sandbox: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
        """POST /_sandbox/accounts → everything Patchbay needs for that vendor."""
        response = sandbox.post("/_sandbox/accounts", json=body)
        response.raise_for_status()
        return response.json()

    def demo_integrations(
        self, tenant: Tenant, accounts: dict[str, ProviderAccount], details: dict[str, dict[str, Any]]
    ) -> None:
        """One integration of each kind (existing ones are kept as they are)."""
        existing = set(Integration.objects.for_tenant(tenant).values_list("name", flat=True))
        for kind in IntegrationKind.values:
            name = f"demo-{kind.replace('_', '-')}"
            if name in existing:
                continue
            if any(k not in details for k in required_kinds(kind)):
                # The sandbox ids (assistants, numbers) of older accounts are not known here.
                self.stdout.write(f"Skipped {name}: delete the demo accounts to seed it again")
                continue
            integration_actions.create_integration(
                tenant,
                name=name,
                kind=kind,
                accounts={k: accounts[k] for k in required_kinds(kind)},
                config=demo_config(kind, details),
                actor=Actor.system(),
            )
            self.stdout.write(f"Created integration {name}")


#: starts the line `make run` repeats in its banner: what to type into a new connect_vapi integration
HINT_PREFIX = "Try it:"


def connect_vapi_hint(tenant: Tenant) -> str:
    """The sandbox ids a new user types into a new Amazon Connect → Vapi integration (from the seeded one)."""
    seeded = (
        Integration.objects.for_tenant(tenant)
        .filter(kind=IntegrationKind.CONNECT_VAPI, name="demo-connect-vapi")
        .first()
    )
    if seeded is None:
        return ""
    return (
        f"{HINT_PREFIX} New integration → Amazon Connect → Vapi with accounts demo-aws and demo-vapi, "
        f"Connect instance id {seeded.config['connect_instance_id']}, "
        f"Vapi assistant id {seeded.config['vapi_assistant_id']}, any area code and SIP URI user; "
        "then Plan, Apply, Download contact flow, Tear down."
    )


def required_kinds(kind: str) -> tuple[str, ...]:
    """The account kinds an integration kind needs."""
    return tuple(get_kind(kind).required_accounts)


def account_fields(kind: str, given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """A sandbox account's answer split into Patchbay's settings and secrets for that vendor."""
    if kind == AccountKind.VAPI:
        return {"region": "us"}, {"api_key": given["api_key"]}
    if kind == AccountKind.SYNTHFLOW:
        return {"region": given.get("region", "global"), "workspace_id": given["workspace_id"]}, {
            "api_key": given["api_key"]
        }
    if kind == AccountKind.GENESYS:
        return {"region": given["region"], "client_id": given["client_id"]}, {
            "client_secret": given["client_secret"]
        }
    if kind == AccountKind.TWILIO:
        return {"account_sid": given["account_sid"]}, {"auth_token": given["auth_token"]}
    raise CommandError(f"No demo settings for {kind} accounts")


#: the demo kinds that use a Synthflow assistant, each its own (in this order of `assistant_ids`)
SYNTHFLOW_KINDS_SEEDED = tuple(
    k for k in IntegrationKind.values if AccountKind.SYNTHFLOW in required_kinds(k)
)


def demo_config(kind: str, details: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A config for an integration of `kind` that points at the sandbox's objects."""
    aws, vapi, synthflow, genesys, twilio = (details.get(k, {}) for k in AccountKind.values)
    if kind in SYNTHFLOW_KINDS_SEEDED:
        synthflow = {"assistant_id": synthflow["assistant_ids"][SYNTHFLOW_KINDS_SEEDED.index(kind)]}
    if kind == IntegrationKind.CONNECT_VAPI:
        return {
            "connect_instance_id": aws["connect_instance_id"],
            "area_code": "206",
            "vapi_assistant_id": vapi["assistant_id"],
            "sip_uri_user": "patchbay-demo",
        }
    if kind == IntegrationKind.CONNECT_SYNTHFLOW:
        return {
            "connect_instance_id": aws["connect_instance_id"],
            "area_code": "415",
            "synthflow_assistant_id": synthflow["assistant_id"],
        }
    if kind == IntegrationKind.GENESYS_SYNTHFLOW:
        return {
            "site_id": genesys["site_id"],
            "inbound_identifier": "demo-synthflow",
            "phone_number": "+12065550123",
            "caller_id_name": "Patchbay demo",
            "synthflow_assistant_id": synthflow["assistant_id"],
        }
    return {"twilio_number": twilio["phone_number"], "synthflow_assistant_id": synthflow["assistant_id"]}
