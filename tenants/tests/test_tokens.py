"""API tokens: shown once, hashed at rest, refused with a JSON 401 once revoked or expired."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from tenants.choices import Role
from tenants.models import ApiToken
from tenants.models.tokens import hash_key
from tenants.tests.factories import ApiTokenFactory
from testing.world import TenantWorld


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_key_is_shown_once_and_only_its_hash_is_stored(world: TenantWorld) -> None:
    admin = world.api(Role.ADMIN)

    created = admin.post("/api/v1/tokens/", {"name": "ci deploys", "role": "operator"}, format="json")

    assert created.status_code == 201
    body = created.json()
    key = body["key"]
    assert key.startswith("pb_")
    assert len(key) >= 40
    assert body["role"] == "operator"
    assert body["prefix"] == key[:10]
    assert body["created_by"] == "admin@acme.example.com"
    listed = admin.get("/api/v1/tokens/").content.decode()
    detail = admin.get(f"/api/v1/tokens/{body['id']}/").content.decode()
    assert key not in listed
    assert key not in detail
    assert '"key"' not in detail
    token = ApiToken.objects.get(pk=body["id"])
    assert token.key_hash == hash_key(key)
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert all(key not in str(column) for column in stored.values())
    assert _client(key).get("/api/v1/integrations/").status_code == 200


def test_a_revoked_token_gets_a_json_401(world: TenantWorld) -> None:
    key = world.key(Role.VIEWER)
    assert _client(key).get("/api/v1/accounts/").status_code == 200

    revoked = world.api(Role.ADMIN).delete(f"/api/v1/tokens/{world.tokens[Role.VIEWER].pk}/")
    response = _client(key).get("/api/v1/accounts/")

    assert revoked.status_code == 204
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "This token has been revoked.", "code": "token_revoked"}
    listed = world.api(Role.ADMIN).get(f"/api/v1/tokens/{world.tokens[Role.VIEWER].pk}/").json()
    assert listed["revoked_at"] is not None
    assert listed["active"] is False


def test_an_expired_token_gets_a_json_401(world: TenantWorld) -> None:
    token = ApiTokenFactory(tenant=world.tenant, expires_at=timezone.now() - timedelta(seconds=1))

    response = _client(token.key).get("/api/v1/accounts/")

    assert response.status_code == 401
    assert response.json() == {"detail": "This token has expired.", "code": "token_expired"}


def test_an_unknown_or_malformed_token_gets_a_json_401(db: object) -> None:
    unknown = _client("pb_not-a-real-key").get("/api/v1/accounts/")
    malformed = APIClient().get("/api/v1/accounts/", HTTP_AUTHORIZATION="Token two parts")

    assert unknown.status_code == malformed.status_code == 401
    assert unknown.json() == {"detail": "Invalid token.", "code": "invalid_token"}
    assert malformed.json()["code"] == "invalid_token"


def test_a_token_with_an_expiry_works_until_then(world: TenantWorld) -> None:
    expires = (timezone.now() + timedelta(days=30)).isoformat()
    created = world.api(Role.ADMIN).post(
        "/api/v1/tokens/", {"name": "temp", "role": "viewer", "expires_at": expires}, format="json"
    )
    past = world.api(Role.ADMIN).post(
        "/api/v1/tokens/",
        {"name": "past", "role": "viewer", "expires_at": "2001-01-01T00:00:00Z"},
        format="json",
    )

    assert created.status_code == 201
    assert _client(created.json()["key"]).get("/api/v1/accounts/").status_code == 200
    assert past.status_code == 400
    assert past.json()["errors"] == {"expires_at": ["Must be in the future."]}


def test_last_used_is_recorded_at_most_once_a_minute(world: TenantWorld) -> None:
    token = world.tokens[Role.VIEWER]
    client = _client(world.key(Role.VIEWER))

    client.get("/api/v1/accounts/")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    client.get("/api/v1/accounts/")
    second = ApiToken.objects.get(pk=token.pk).last_used_at
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.get("/api/v1/accounts/")
    third = ApiToken.objects.get(pk=token.pk).last_used_at

    assert first is not None
    assert second == first
    assert third > first


def test_the_token_decides_the_tenant_even_with_a_session_of_another(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    client = other_world.api(Role.OWNER, via="session")
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.key(Role.VIEWER)}")

    members = client.get("/api/v1/members/").json()["results"]

    assert {m["email"] for m in members} == {f"{role}@acme.example.com" for role in Role.values}


def test_a_token_never_acts_above_its_creators_current_role(world: TenantWorld) -> None:
    from tenants import actions
    from tenants.audit import Actor
    from tenants.models import AuditEvent, Membership

    admin = world.users[Role.ADMIN]
    created = world.api(Role.ADMIN, via="session").post(
        "/api/v1/tokens/", {"name": "admin automation", "role": "admin"}, format="json"
    )
    token = _client(created.json()["key"])
    assert token.get("/api/v1/tokens/").status_code == 200  # admin reads tokens

    membership = Membership.objects.get(tenant=world.tenant, user=admin)
    actions.change_member_role(
        membership, Role.VIEWER, actor=Actor(user=world.users[Role.OWNER], role="owner")
    )

    assert token.get("/api/v1/tokens/").status_code == 403  # at once: checked at use
    assert token.get("/api/v1/audit/").status_code == 200  # still a viewer
    minted = token.post("/api/v1/tokens/", {"name": "escalate", "role": "admin"}, format="json")
    assert minted.status_code == 403
    capped = AuditEvent.objects.get(action="token.role_capped", object_id=created.json()["id"])
    assert capped.diff == {"effective_role": ["admin", "viewer"]}
    demoted_session = world.api(Role.ADMIN, via="session").post(
        "/api/v1/tokens/", {"name": "escalate", "role": "admin"}, format="json"
    )
    assert demoted_session.status_code == 403


def test_removing_a_member_revokes_their_tokens(world: TenantWorld) -> None:
    from tenants.models import AuditEvent

    operator_token = world.tokens[Role.OPERATOR]
    membership_id = world.api(Role.OWNER).get("/api/v1/members/?role=operator").json()["results"][0]["id"]

    removed = world.api(Role.OWNER).delete(f"/api/v1/members/{membership_id}/")
    refused = _client(world.key(Role.OPERATOR)).get("/api/v1/integrations/")

    assert removed.status_code == 204
    assert refused.status_code == 401
    operator_token.refresh_from_db()
    assert operator_token.revoked_at is not None
    event = AuditEvent.objects.get(action="token.revoked", object_id=str(operator_token.pk))
    assert event.diff["reason"] == [None, "creator removed"]
    assert event.actor_label.startswith("owner@acme.example.com")
