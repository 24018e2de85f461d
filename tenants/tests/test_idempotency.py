"""`Idempotency-Key` on POST: a retried request replays the first answer instead of repeating the change."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from integrations.models import ProviderAccount
from tenants.choices import Role
from tenants.models import IdempotencyRecord
from tenants.tests.fixtures import TenantWorld

BODY = {
    "name": "vapi main",
    "kind": "vapi",
    "settings": {"region": "us"},
    "secrets": {"api_key": "k-SECRET-1"},
}


def test_a_replay_returns_the_first_response_and_creates_one_object(world: TenantWorld) -> None:
    api = world.api(Role.OPERATOR)

    first = api.post("/api/v1/accounts/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="create-vapi-1")
    again = api.post("/api/v1/accounts/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="create-vapi-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert ProviderAccount.objects.for_tenant(world.tenant).filter(name="vapi main").count() == 1


def test_the_same_key_with_another_body_is_refused(world: TenantWorld) -> None:
    api = world.api(Role.OPERATOR)
    api.post("/api/v1/accounts/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k")

    other = api.post("/api/v1/accounts/", {**BODY, "name": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert not ProviderAccount.objects.filter(name="other").exists()


def test_a_failed_request_is_replayed_too(world: TenantWorld) -> None:
    api = world.api(Role.OPERATOR)
    bad = {**BODY, "settings": {"region": "mars"}}

    first = api.post("/api/v1/accounts/", bad, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    again = api.post("/api/v1/accounts/", bad, format="json", HTTP_IDEMPOTENCY_KEY="bad")

    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"


def test_keys_belong_to_one_principal_and_expire_after_a_day(world: TenantWorld) -> None:
    world.api(Role.OPERATOR).post("/api/v1/accounts/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    by_owner = world.api(Role.OWNER).post(
        "/api/v1/accounts/", {**BODY, "name": "owner's"}, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    after_a_day = world.api(Role.OPERATOR).post(
        "/api/v1/accounts/", {**BODY, "name": "next day"}, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )

    assert by_owner.status_code == 201
    assert after_a_day.status_code == 201
    assert "Idempotent-Replayed" not in after_a_day
    assert set(ProviderAccount.objects.values_list("name", flat=True)) == {"vapi main", "owner's", "next day"}


def test_a_request_in_progress_with_the_same_body_gets_409(world: TenantWorld) -> None:
    api = world.api(Role.OPERATOR)
    first = api.post("/api/v1/accounts/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    IdempotencyRecord.objects.filter(key="busy").update(status_code=None, response_body=None)

    response = api.post("/api/v1/accounts/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="busy")

    assert first.status_code == 201
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_progress"
    assert ProviderAccount.objects.count() == 1


def test_a_refused_post_does_not_use_up_the_key(world: TenantWorld) -> None:
    forbidden = world.api(Role.VIEWER).post(
        "/api/v1/accounts/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="v"
    )

    assert forbidden.status_code == 403
    assert not IdempotencyRecord.objects.exists()
