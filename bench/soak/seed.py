"""The soak's Django side, run in the soak stack's environment (its own SQLite file, never `make run`'s):

    python -m bench.soak.seed seed --sandbox-url URL   # prints one JSON line: logins, token, webhook
    python -m bench.soak.seed rows PUBLIC_ID           # prints one JSON line: rows the requests wrote
    python -m bench.soak.seed integration --sandbox-url URL --name NAME [--config JSON]  # one more

`seed` builds what the soak needs, through Patchbay's own actions as `seed_demo` does: a user who
owns tenant `soak`, an admin API token, Twilio and Synthflow accounts taken from the sandbox and a
twilio_synthflow integration, whose voice webhook the soak calls. Its output holds secrets (the
password, the token key, the Twilio auth token): the soak reads it from a pipe and never prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from typing import Any


def seed(sandbox_url: str) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from tenants import actions as tenant_actions
    from tenants.audit import Actor
    from tenants.choices import Role

    email, password = "soak@patchbay.local", secrets.token_urlsafe(16)
    user = get_user_model().objects.create_user(username=email, email=email, password=password)
    tenant = tenant_actions.create_tenant("soak", "Soak", owner=user, actor=Actor.system())
    _, key = tenant_actions.create_api_token(
        tenant, name="soak", role=Role.ADMIN, actor=Actor(user=user, role=Role.OWNER)
    )
    integration, twilio = add_integration(tenant, sandbox_url, "soak-twilio-synthflow", {})
    return {
        "email": email,
        "password": password,
        "token": key,
        "public_id": integration.public_id,
        "account_sid": twilio["account_sid"],
        "auth_token": twilio["auth_token"],
        "twilio_number": twilio["phone_number"],
    }


def add_integration(
    tenant: Any, sandbox_url: str, name: str, config: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """A twilio_synthflow integration of `tenant` on fresh sandbox accounts (its own Twilio number),
    `config` on top of the required fields; (the integration, the sandbox's Twilio account)."""
    import httpx

    from integrations import actions as integration_actions
    from integrations.choices import AccountKind, IntegrationKind
    from tenants.audit import Actor
    from tenants.management.commands.seed_demo import account_fields

    given: dict[str, dict[str, Any]] = {}
    accounts: dict[str, Any] = {}
    with httpx.Client(base_url=sandbox_url, timeout=30) as sandbox:
        for kind in (AccountKind.TWILIO, AccountKind.SYNTHFLOW):
            created = sandbox.post("/_sandbox/accounts", json={"vendor": kind})
            created.raise_for_status()
            given[kind] = created.json()
            vendor_settings, vendor_secrets = account_fields(kind, given[kind])
            accounts[kind] = integration_actions.create_provider_account(
                tenant,
                name=f"{name}-{kind}",
                kind=kind,
                settings=vendor_settings,
                secrets=vendor_secrets,
                actor=Actor.system(),
            )
    twilio, synthflow = given[AccountKind.TWILIO], given[AccountKind.SYNTHFLOW]
    integration = integration_actions.create_integration(
        tenant,
        name=name,
        kind=IntegrationKind.TWILIO_SYNTHFLOW,
        accounts=accounts,
        config={
            "twilio_number": twilio["phone_number"],
            "synthflow_assistant_id": synthflow.get("assistant_id") or synthflow["assistant_ids"][0],
            **config,
        },
        actor=Actor.system(),
    )
    return integration, twilio


def integration(sandbox_url: str, name: str, config: dict[str, Any]) -> dict[str, Any]:
    """One more integration in tenant `soak` (after `seed`): what a caller of its webhook needs."""
    from tenants.models import Tenant

    added, twilio = add_integration(Tenant.objects.get(slug="soak"), sandbox_url, name, config)
    return {
        "public_id": added.public_id,
        "account_sid": twilio["account_sid"],
        "auth_token": twilio["auth_token"],
        "twilio_number": twilio["phone_number"],
    }


def rows(public_id: str) -> dict[str, Any]:
    """What the requests wrote: the integration's Twilio call events by kind, and the size of the
    largest audit row's diff (issue 13 found 70,000 Call-IDs in one)."""
    from django.db.models import Count

    from integrations.models import Integration, TwilioCallEvent
    from tenants.models import AuditEvent

    integration = Integration.objects.get(public_id=public_id)
    counted = TwilioCallEvent.objects.filter(integration=integration).values("kind").annotate(n=Count("id"))
    audit = AuditEvent.objects.filter(tenant=integration.tenant).values_list("action", "diff")
    largest = max(((len(json.dumps(diff)), action) for action, diff in audit), default=(0, ""))
    return {
        "events": {row["kind"]: row["n"] for row in counted},
        "largest_audit_bytes": largest[0],
        "largest_audit_action": largest[1],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak.seed")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("seed").add_argument("--sandbox-url", required=True)
    commands.add_parser("rows").add_argument("public_id")
    more = commands.add_parser("integration")
    more.add_argument("--sandbox-url", required=True)
    more.add_argument("--name", required=True)
    more.add_argument("--config", default="{}", help="JSON: config fields beyond the number and assistant")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "controlplane.settings")
    import django

    django.setup()
    if args.command == "seed":
        result = seed(args.sandbox_url)
    elif args.command == "integration":
        result = integration(args.sandbox_url, args.name, json.loads(args.config))
    else:
        result = rows(args.public_id)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
