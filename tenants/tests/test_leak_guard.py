"""The suite-wide secret-leak guard (leak_guard.py) finds what it is there to find."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from integrations.encryption import encrypt_secrets
from tenants.tests.factories import AuditEventFactory
from tenants.tests.leak_guard import Sentinels, _search_rows
from testing.world import TenantWorld

SEALED = {"api_key": "guard-check-0a1b2c3d4e", "username": "visible-user-name"}


def test_a_sealed_secret_in_a_log_record_is_a_hit(secret_leak_guard: Sentinels) -> None:
    encrypt_secrets(SEALED)
    logging.getLogger("integrations.engine").warning("vendor said %s", SEALED["username"])
    assert secret_leak_guard.hits == []  # a SIP username is not a secret
    logging.getLogger("integrations.engine").warning("vendor said %s", SEALED["api_key"])
    assert secret_leak_guard.hits == [
        "log record of integrations.engine: holds the secret guar… (1 secret(s))"
    ]
    secret_leak_guard.hits.clear()  # found on purpose: the test itself must not fail


def test_the_vendor_stand_ins_are_not_searched(secret_leak_guard: Sentinels) -> None:
    encrypt_secrets(SEALED)
    logging.getLogger("sandbox.vapi").warning("stand-in holds %s", SEALED["api_key"])
    assert secret_leak_guard.hits == []


@pytest.mark.django_db
def test_a_secret_in_an_audit_row_is_a_hit(secret_leak_guard: Sentinels, world: TenantWorld) -> None:
    encrypt_secrets(SEALED)
    row = AuditEventFactory(
        tenant=world.tenant, action="account.updated", diff={"api_key": ["", SEALED["api_key"]]}
    )
    _search_rows(secret_leak_guard)
    assert secret_leak_guard.hits == ["audit row account.updated: holds the secret guar… (1 secret(s))"]
    secret_leak_guard.hits.clear()
    row.delete()  # or the guard finds it again when the test ends


def test_a_secret_in_a_response_is_a_hit(secret_leak_guard: Sentinels) -> None:
    secret_leak_guard.values.add('{"status": "ok"}')  # stands in for a secret a page would show
    assert Client().get("/healthz").status_code == 200
    assert secret_leak_guard.hits == ['response to GET /healthz: holds the secret {"st… (1 secret(s))']
    secret_leak_guard.hits.clear()
