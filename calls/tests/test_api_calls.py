"""GET integrations/{id}/calls/, calls/, calls/{id}/ and the ladder image: shape, scope, query count."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.tests.sip_samples import CONNECTOR_HOST, VAPI_HOST, answered_call, invite, response
from calls.tests.stored_calls import store
from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from testing.world import TenantWorld


def test_an_integrations_calls_are_listed_newest_first_in_the_contract_shape(world: TenantWorld) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind="connect_vapi")
    other = IntegrationFactory(tenant=world.tenant, kind="connect_vapi")
    store(integration, answered_call("first@x"))
    store(integration, [invite("second@x"), response(486, "Busy Here", "second@x")], offset_s=60)
    store(other, answered_call("elsewhere@x"))

    response_ = world.api(Role.VIEWER).get(
        reverse("integration-calls-list", kwargs={"integration_id": integration.pk})
    )

    assert response_.status_code == 200
    body = response_.json()
    assert body["count"] == 2
    busy, answered = body["results"]
    assert busy["call_id"] == "second@x"
    assert busy["integration"] == str(integration.pk)
    assert busy["final_status"] == 486
    assert "declined the call as busy" in busy["reason"]
    assert busy["started_at"] == "2026-11-23T10:01:00Z"
    assert set(busy) >= {"id", "integration", "call_id", "started_at", "final_status", "reason", "messages"}
    first = answered["messages"][0]
    assert set(first) >= {"at", "src", "dst", "label", "raw"}
    assert (first["src"], first["dst"], first["label"]) == (CONNECTOR_HOST, VAPI_HOST, "INVITE")
    assert first["at"] == "2026-11-23T10:00:00Z"
    assert first["raw"].startswith("INVITE sip:")
    assert first["headers"]["cseq"] == {"number": 1, "method": "INVITE"}


def test_one_call_with_its_messages_and_its_ladder_image(world: TenantWorld) -> None:
    call = store(IntegrationFactory(tenant=world.tenant), answered_call())
    client = world.api(Role.VIEWER)

    detail = client.get(reverse("call-detail", kwargs={"pk": call.pk}))
    ladder = client.get(reverse("call-ladder", kwargs={"pk": call.pk}))

    assert detail.status_code == 200
    assert detail.json()["id"] == str(call.pk)
    assert [m["label"] for m in detail.json()["messages"]][:4] == [
        "INVITE",
        "100 Trying",
        "180 Ringing",
        "200 OK",
    ]
    assert ladder.status_code == 200
    assert ladder["Content-Type"] == "image/svg+xml"
    assert ladder.content.decode().count("<a href=") == 7


def test_another_tenant_gets_404_and_sees_none_of_the_calls(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    integration = IntegrationFactory(tenant=world.tenant)
    call = store(integration, answered_call("secret-call@x"))
    client = other_world.api(Role.OWNER)

    listed = client.get(reverse("integration-calls-list", kwargs={"integration_id": integration.pk}))
    detail = client.get(reverse("call-detail", kwargs={"pk": call.pk}))
    everything = client.get(reverse("call-list"))

    assert listed.status_code == 404
    assert listed.json() == {"detail": "Not found.", "code": "not_found"}
    assert detail.status_code == 404
    assert everything.status_code == 200 and everything.json()["count"] == 0
    assert "secret-call" not in everything.content.decode()


def test_calls_can_be_filtered_by_final_status(world: TenantWorld) -> None:
    integration = IntegrationFactory(tenant=world.tenant)
    store(integration, answered_call("ok@x"))
    store(integration, [invite("nf@x"), response(404, "Not Found", "nf@x")], offset_s=5)

    found = world.api(Role.VIEWER).get(reverse("call-list"), {"final_status": 404})

    assert [c["call_id"] for c in found.json()["results"]] == ["nf@x"]


def test_the_list_costs_the_same_queries_for_one_call_or_twenty(world: TenantWorld) -> None:
    integration = IntegrationFactory(tenant=world.tenant)
    url = reverse("integration-calls-list", kwargs={"integration_id": integration.pk})
    client = world.api(Role.VIEWER)
    store(integration, answered_call("c0@x"))
    client.get(url)  # the token's first use writes its last_used_at: not part of the page's cost
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for index in range(1, 20):
        store(integration, answered_call(f"c{index}@x"), offset_s=index)
    with CaptureQueriesContext(connection) as twenty:
        response_ = client.get(url)

    assert response_.json()["count"] == 20
    assert len(twenty.captured_queries) == len(one.captured_queries)


def test_unauthenticated_requests_are_refused(db: Any) -> None:
    from rest_framework.test import APIClient

    response_ = APIClient().get(reverse("call-list"))

    assert response_.status_code in (401, 403)
