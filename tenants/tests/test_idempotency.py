"""`Idempotency-Key` on POST: a retried request replays the first answer instead of repeating the change."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from integrations.models import ProviderAccount
from tenants.choices import Role
from tenants.models import IdempotencyRecord
from testing.world import TenantWorld

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


def test_a_replayed_token_creation_never_returns_or_stores_the_key(world: TenantWorld) -> None:
    admin = world.api(Role.ADMIN)
    body = {"name": "deploys", "role": "viewer"}

    first = admin.post("/api/v1/tokens/", body, format="json", HTTP_IDEMPOTENCY_KEY="token-1")
    again = admin.post("/api/v1/tokens/", body, format="json", HTTP_IDEMPOTENCY_KEY="token-1")

    key = first.json()["key"]
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert "key" not in again.json()
    assert again.json()["id"] == first.json()["id"]
    assert "was shown only in the first response and is not stored" in again.json()["detail"]
    stored = IdempotencyRecord.objects.get(key="token-1")
    assert key not in str(stored.response_body)
    assert key[10:] not in str(list(IdempotencyRecord.objects.values()))


def test_expired_records_are_purged_by_the_beat_task_not_by_requests(world: TenantWorld) -> None:
    from django.conf import settings

    from tenants.tasks import purge_expired_idempotency_records

    api = world.api(Role.OPERATOR)
    api.post("/api/v1/accounts/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    api.post("/api/v1/accounts/", {**BODY, "name": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="new")

    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {"old", "new"}
    assert purge_expired_idempotency_records() == 1
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {"new"}
    schedule = settings.CELERY_BEAT_SCHEDULE["purge-idempotency-records"]
    assert schedule["task"] == "tenants.purge_expired_idempotency_records"
    assert schedule["schedule"] <= 3600
