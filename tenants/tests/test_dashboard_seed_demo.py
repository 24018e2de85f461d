"""`manage.py seed_demo`: the demo tenant `make run` prints a login for, seeded from the sandbox."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import httpx
from django.core.management import call_command
from django.test import Client

from integrations.choices import AccountKind, IntegrationKind
from integrations.models import Integration, ProviderAccount
from tenants.models import AuditEvent, Membership, Tenant

EMAIL = "demo@patchbay.local"


def seed(*args: str) -> list[str]:
    """Run seed_demo; its output lines."""
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue().splitlines()


def printed_password(lines: list[str]) -> str:
    assert lines[-1].startswith(f"Login: {EMAIL} / ")
    return lines[-1].rsplit(" / ", 1)[1]


def test_seeding_twice_gives_one_tenant_and_the_same_working_login(tmp_path: Path, db: Any) -> None:
    password_file = tmp_path / "demo-password"

    first = seed("--password-file", str(password_file))
    events = AuditEvent.objects.count()
    second = seed("--password-file", str(password_file))

    password = printed_password(first)
    assert printed_password(second) == password
    assert password_file.read_text().strip() == password
    assert password_file.stat().st_mode & 0o077 == 0  # readable by its owner only
    tenant = Tenant.objects.get(slug="demo")
    assert Membership.objects.get(tenant=tenant).role == "owner"
    assert AuditEvent.objects.count() == events  # the second run changed nothing
    assert Client().login(username=EMAIL, password=password)


def test_a_given_password_replaces_the_remembered_one(tmp_path: Path, db: Any) -> None:
    password_file = tmp_path / "demo-password"
    seed("--password-file", str(password_file))

    lines = seed("--password-file", str(password_file), "--password", "open-sesame-42")

    assert printed_password(lines) == "open-sesame-42"
    assert Client().login(username=EMAIL, password="open-sesame-42")
    assert printed_password(seed("--password-file", str(password_file))) == "open-sesame-42"


def test_with_a_sandbox_every_vendor_gets_an_account_and_every_kind_an_integration(
    tmp_path: Path,
    db: Any,
    sandbox_url: str,
) -> None:
    args = ("--password-file", str(tmp_path / "pw"), "--sandbox-url", sandbox_url)

    lines = seed(*args)
    again = seed(*args)

    tenant = Tenant.objects.get(slug="demo")
    accounts = {a.kind: a for a in ProviderAccount.objects.for_tenant(tenant)}
    integrations = {i.kind: i for i in Integration.objects.for_tenant(tenant)}
    assert set(accounts) == set(AccountKind.values)
    assert set(integrations) == set(IntegrationKind.values)
    assert "Created integration demo-twilio-synthflow" in lines
    assert not [line for line in again if line.startswith("Created")]
    # Both runs say what to type into a new connect_vapi integration (`make run` repeats it in its banner).
    instance_id = integrations[IntegrationKind.CONNECT_VAPI].config["connect_instance_id"]
    assert [line for line in again if line.startswith("Try it:") and instance_id in line]
    assert ProviderAccount.objects.for_tenant(tenant).count() == len(AccountKind.values)
    # The accounts are the sandbox's own: the AWS role trusts this account's external id.
    aws = accounts[AccountKind.AWS]
    assert aws.settings["role_arn"].startswith("arn:aws:iam::123456789012:role/")
    twilio = accounts[AccountKind.TWILIO]
    assert twilio.read_secrets()["auth_token"]
    twilio_number = integrations[IntegrationKind.TWILIO_SYNTHFLOW].config["twilio_number"]
    sid = twilio.settings["account_sid"]
    numbers = httpx.get(
        f"{sandbox_url}/twilio/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json",
        auth=(sid, twilio.read_secrets()["auth_token"]),
    )
    assert numbers.status_code == 200
    assert twilio_number in [n["phone_number"] for n in numbers.json()["incoming_phone_numbers"]]
