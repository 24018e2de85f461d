"""Login attempts are throttled per account and per address; the API is throttled per token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tenants import login_throttle
from tenants.choices import Role
from tenants.tests.factories import PASSWORD, UserFactory
from testing.world import TenantWorld

LOGIN = reverse("tenants:login")


def _login(client: Client, email: str, password: str, address: str = "198.51.100.7") -> Any:
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Any:
    """`later(seconds)`: move the throttle's clock forward."""
    offset = [0.0]
    real = login_throttle.clock
    monkeypatch.setattr(login_throttle, "clock", lambda: real() + offset[0])

    def move(seconds: float) -> None:
        offset[0] += seconds

    return move


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_LOCKOUT_SECONDS=900)
def test_brute_force_locks_the_account_until_the_lockout_ends_by_itself(
    world: TenantWorld, later: Any
) -> None:
    email = world.users[Role.OWNER].email
    client = Client()

    answers = [_login(client, email, f"guess-{n}").status_code for n in range(30)]
    right = _login(client, email, PASSWORD)

    assert answers[:4] == [200] * 4  # the form again, "wrong email or password"
    assert set(answers[4:]) == {429}
    assert right.status_code == 429  # even the right password waits
    assert "Too many failed logins for this account or from this address. Try again in 15 minutes." in (
        right.content.decode()
    )
    assert int(right["Retry-After"]) <= 900
    assert "_auth_user_id" not in client.session
    later(901)
    assert _login(client, email, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(world.users[Role.OWNER].pk)


@override_settings(LOGIN_FAILURE_LIMIT=5)
def test_the_lockout_is_per_account_from_any_address(world: TenantWorld) -> None:
    email = world.users[Role.OWNER].email
    for n in range(5):
        _login(Client(), email, "wrong", address=f"203.0.113.{n}")

    assert _login(Client(), email, PASSWORD, address="192.0.2.99").status_code == 429
    assert _login(Client(), world.users[Role.VIEWER].email, PASSWORD, address="192.0.2.99").status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=50, LOGIN_ADDRESS_FAILURE_LIMIT=10)
def test_one_address_guessing_many_accounts_is_locked_out(db: Any) -> None:
    users = [UserFactory() for _ in range(10)]
    for user in users:
        _login(Client(), user.email, "wrong", address="198.51.100.66")

    refused = _login(Client(), UserFactory().email, PASSWORD, address="198.51.100.66")

    assert refused.status_code == 429
    assert _login(Client(), users[0].email, PASSWORD, address="198.51.100.67").status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_successful_login_forgets_earlier_failures(world: TenantWorld) -> None:
    email = world.users[Role.OWNER].email
    _login(Client(), email, "wrong")
    _login(Client(), email, "wrong")
    assert _login(Client(), email, PASSWORD).status_code == 302

    _login(Client(), email, "wrong")
    _login(Client(), email, "wrong")

    assert _login(Client(), email, PASSWORD).status_code == 302


def test_api_is_throttled_per_token(world: TenantWorld, settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"principal": "5/min"}}
    viewer = world.api(Role.VIEWER)

    answers = [viewer.get("/api/v1/audit/").status_code for _ in range(5)]
    throttled = viewer.get("/api/v1/audit/")

    assert answers == [200] * 5
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert world.api(Role.OPERATOR).get("/api/v1/audit/").status_code == 200  # a budget per token
