"""`manage.py create_tenant`: first setup in one command, and a clear refusal the second time."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tenants.choices import AuditAction, Role
from tenants.models import ApiToken, AuditEvent, Membership, Tenant
from tenants.tests.factories import UserFactory

PASSWORD = "a-long-enough-passphrase-42"


def _run(*args: str, **options: Any) -> list[str]:
    out = StringIO()
    call_command("create_tenant", *args, stdout=out, **options)
    return out.getvalue().strip().splitlines()


def _counts() -> dict[str, int]:
    return {
        "tenants": Tenant.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "tokens": ApiToken.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def test_creates_tenant_owner_and_prints_a_working_token_last(db: Any) -> None:
    lines = _run("acme", owner="ops@acme.example", password=PASSWORD, token_role="operator", name="Acme Inc")

    key = lines[-1]
    tenant = Tenant.objects.get(slug="acme")
    owner = get_user_model().objects.get(email="ops@acme.example")
    assert tenant.name == "Acme Inc"
    assert owner.check_password(PASSWORD)
    assert Membership.objects.get(tenant=tenant, user=owner).role == Role.OWNER
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/members/").json()["results"][0]["email"] == "ops@acme.example"
    assert client.get("/api/v1/tokens/").status_code == 403  # an operator token, as asked
    assert list(AuditEvent.objects.for_tenant(tenant).values_list("action", flat=True).order_by("at")) == [
        AuditAction.TENANT_CREATED,
        AuditAction.MEMBER_ADDED,
        AuditAction.TOKEN_CREATED,
    ]


def test_a_second_run_for_the_same_slug_fails_and_changes_nothing(db: Any) -> None:
    _run("acme", owner="ops@acme.example", password=PASSWORD)
    before = _counts()

    with pytest.raises(
        CommandError, match="A tenant with the slug 'acme' already exists; nothing was changed"
    ):
        _run("acme", owner="someone-else@acme.example", password=PASSWORD, token_role="owner")

    assert _counts() == before
    assert not get_user_model().objects.filter(email="someone-else@acme.example").exists()


def test_an_existing_user_becomes_owner_without_a_new_account(db: Any) -> None:
    user = UserFactory(username="lead@example.com")

    lines = _run("globex", owner="LEAD@example.com")

    assert "Added existing user LEAD@example.com as its owner." in lines
    assert Membership.objects.get(tenant__slug="globex").user == user
    assert get_user_model().objects.count() == 1


def test_without_token_role_no_token_is_made(db: Any) -> None:
    lines = _run("initech", owner="boss@initech.example")

    assert ApiToken.objects.count() == 0
    assert lines[-1] == "No password set: run `manage.py changepassword boss@initech.example`."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Bad Slug",), "lowercase letters"),
        (("fine",), "valid email"),
    ],
)
def test_bad_arguments_are_refused_clearly(db: Any, args: tuple[str, ...], message: str) -> None:
    owner = "not-an-email" if args == ("fine",) else "ok@example.com"

    with pytest.raises(CommandError, match=message):
        _run(*args, owner=owner)
    assert _counts()["tenants"] == 0
