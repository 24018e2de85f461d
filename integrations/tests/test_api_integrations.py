"""Integrations over the API: create per kind with defaults, edit, filter, delete, bounded queries."""

from __future__ import annotations

from typing import Any

import pytest

from integrations.choices import IntegrationKind
from integrations.kinds import get_kind
from integrations.models import Integration
from integrations.tests.factories import VALID_CONFIG, IntegrationFactory, ProviderAccountFactory
from tenants.choices import Role
from tenants.models import AuditEvent
from tenants.tests.factories import MembershipFactory
from testing.world import TenantWorld

FIELDS = {
    "id",
    "public_id",
    "name",
    "kind",
    "accounts",
    "config",
    "health",
    "policy",
    "conditions",
    "latest_run",
    "created_at",
    "updated_at",
}


def _accounts(world: TenantWorld, kind: str) -> dict[str, str]:
    return {
        account_kind: str(ProviderAccountFactory(tenant=world.tenant, kind=account_kind).pk)
        for account_kind in get_kind(kind).required_accounts
    }


def _create(world: TenantWorld, kind: str, name: str = "front-door", **extra: Any) -> Any:
    body = {
        "name": name,
        "kind": kind,
        "accounts": _accounts(world, kind),
        "config": VALID_CONFIG[kind],
        **extra,
    }
    return world.api(Role.OPERATOR).post("/api/v1/integrations/", body, format="json")


@pytest.mark.parametrize("kind", IntegrationKind.values)
def test_an_integration_of_every_kind_is_created_with_defaults_filled(world: TenantWorld, kind: str) -> None:
    response = _create(world, kind)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == FIELDS
    assert body["kind"] == kind
    assert set(body["accounts"]) == set(get_kind(kind).required_accounts)
    assert body["config"] == get_kind(kind).validate_config(VALID_CONFIG[kind])
    assert body["policy"] == "heal"
    assert body["conditions"] == []
    assert body["latest_run"] is None
    integration = Integration.objects.get(pk=body["id"])
    assert integration.public_id == body["public_id"]
    assert len(body["public_id"]) >= 20
    assert integration.account_ids() == body["accounts"]
    event = AuditEvent.objects.get(object_id=body["id"])
    assert event.action == "integration.created"
    assert event.diff["name"] == [None, "front-door"]


def test_phone_numbers_are_stored_in_e164(world: TenantWorld) -> None:
    config = {**VALID_CONFIG["twilio_synthflow"], "twilio_number": "+1 (415) 555-0100"}

    body = _create(world, "twilio_synthflow", config=config).json()

    assert body["config"]["twilio_number"] == "+14155550100"


def test_patch_merges_config_and_put_replaces_it(world: TenantWorld) -> None:
    body = _create(world, "connect_vapi").json()
    api = world.api(Role.OPERATOR)
    url = f"/api/v1/integrations/{body['id']}/"

    patched = api.patch(url, {"config": {"gateway_netmask": 28}, "policy": "report"}, format="json").json()
    put = api.put(
        url,
        {
            "name": body["name"],
            "kind": body["kind"],
            "accounts": body["accounts"],
            "config": VALID_CONFIG["connect_vapi"],
        },
        format="json",
    ).json()

    assert patched["config"] == {**body["config"], "gateway_netmask": 28}
    assert patched["policy"] == "report"
    assert put["config"]["gateway_netmask"] == 32
    assert put["policy"] == "heal"
    diffs = [
        e.diff
        for e in AuditEvent.objects.filter(object_id=body["id"], action="integration.updated").order_by("at")
    ]
    assert diffs == [
        {"config.gateway_netmask": [32, 28], "policy": ["heal", "report"]},
        {"config.gateway_netmask": [28, 32], "policy": ["report", "heal"]},
    ]


def test_patch_with_null_removes_a_config_key(world: TenantWorld) -> None:
    body = _create(world, "connect_synthflow").json()

    response = world.api(Role.OPERATOR).patch(
        f"/api/v1/integrations/{body['id']}/",
        {"config": {"area_code": None, "phone_number": "+14155550111"}},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert "area_code" not in response.json()["config"]
    assert response.json()["config"]["phone_number"] == "+14155550111"


def test_accounts_can_be_swapped_for_others_of_the_same_kind(world: TenantWorld) -> None:
    body = _create(world, "twilio_synthflow").json()
    other_twilio = ProviderAccountFactory(tenant=world.tenant, kind="twilio")

    response = world.api(Role.OPERATOR).patch(
        f"/api/v1/integrations/{body['id']}/",
        {"accounts": {**body["accounts"], "twilio": str(other_twilio.pk)}},
        format="json",
    )

    assert response.json()["accounts"]["twilio"] == str(other_twilio.pk)
    assert Integration.objects.get(pk=body["id"]).twilio_account == other_twilio


def test_name_and_kind_are_fixed_once_created(world: TenantWorld) -> None:
    body = _create(world, "twilio_synthflow").json()
    api = world.api(Role.OPERATOR)

    renamed = api.patch(f"/api/v1/integrations/{body['id']}/", {"name": "other-name"}, format="json")
    rekinded = api.patch(f"/api/v1/integrations/{body['id']}/", {"kind": "connect_vapi"}, format="json")

    assert renamed.status_code == rekinded.status_code == 400
    assert list(renamed.json()["errors"]) == ["name"]
    assert list(rekinded.json()["errors"]) == ["kind"]
    assert Integration.objects.get(pk=body["id"]).name == "front-door"


def test_delete_starts_a_teardown_run_and_audits_it(world: TenantWorld) -> None:
    body = _create(world, "twilio_synthflow").json()
    api = world.api(Role.OPERATOR)

    response = api.delete(f"/api/v1/integrations/{body['id']}/")
    again = api.delete(f"/api/v1/integrations/{body['id']}/")

    assert response.status_code == again.status_code == 202
    run = response.json()
    assert (run["kind"], run["state"], run["integration"]) == ("teardown", "queued", body["id"])
    assert again.json()["id"] == run["id"], "one teardown run, however often delete is asked"
    # The row stays (marked deleting) until the worker has deleted every resource.
    assert Integration.objects.get(pk=body["id"]).deleting
    assert api.get(f"/api/v1/runs/{run['id']}/").json()["state"] == "queued"
    event = AuditEvent.objects.filter(object_id=body["id"], action="integration.teardown_requested").first()
    assert event is not None and event.diff["run"] == [None, int(run["id"])]
    conflict = api.post(f"/api/v1/integrations/{body['id']}/apply/")
    assert conflict.status_code == 409
    assert "torn down" in conflict.json()["detail"]


def test_integrations_filter_by_kind_and_name(world: TenantWorld) -> None:
    IntegrationFactory(tenant=world.tenant, kind="twilio_synthflow", name="phones")
    IntegrationFactory(tenant=world.tenant, kind="genesys_synthflow", name="contact-center")
    api = world.api(Role.VIEWER)

    assert [i["name"] for i in api.get("/api/v1/integrations/?kind=genesys_synthflow").json()["results"]] == [
        "contact-center"
    ]
    assert [i["kind"] for i in api.get("/api/v1/integrations/?name=phones").json()["results"]] == [
        "twilio_synthflow"
    ]
    assert api.get("/api/v1/integrations/?kind=connect_vapi").json()["count"] == 0


@pytest.mark.parametrize("via", ["token", "session"])
def test_listing_integrations_takes_the_same_queries_for_3_or_40_rows(
    world: TenantWorld, via: str, django_assert_max_num_queries: Any
) -> None:
    api = world.api(Role.VIEWER, via=via)
    IntegrationFactory.create_batch(3, tenant=world.tenant)
    api.get("/api/v1/integrations/")
    # 6 for the page itself, 4 for the health of every row (integrations/health.py).
    with django_assert_max_num_queries(10) as few:
        api.get("/api/v1/integrations/?page_size=200")
    for kind in IntegrationKind.values:
        IntegrationFactory.create_batch(37 // 4 + 1, tenant=world.tenant, kind=kind)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get("/api/v1/integrations/?page_size=200")

    assert len(response.json()["results"]) == 3 + 4 * (37 // 4 + 1)


@pytest.mark.parametrize("path", ["members", "tokens", "audit"])
def test_member_token_and_audit_lists_take_bounded_queries(
    world: TenantWorld, path: str, django_assert_max_num_queries: Any
) -> None:
    api = world.api(Role.OWNER, via="session")
    for i in range(30):
        api.post(
            "/api/v1/tokens/", {"name": f"t{i}", "role": "viewer"}, format="json"
        )  # 30 tokens, 30 events
    MembershipFactory.create_batch(30, tenant=world.tenant)
    with django_assert_max_num_queries(6):
        response = api.get(f"/api/v1/{path}/?page_size=200")

    assert response.status_code == 200
    assert response.json()["count"] >= 30
