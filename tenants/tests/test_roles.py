"""Roles: viewers only read, operators run integrations but not people or tokens, tokens carry their role."""

from __future__ import annotations

from typing import Any

import pytest

from integrations.models import Integration, ProviderAccount
from integrations.tests.factories import VALID_SECRETS, VALID_SETTINGS, IntegrationFactory
from tenants.choices import Role
from tenants.models import ApiToken, AuditEvent, Membership
from tenants.tests.factories import ApiTokenFactory, UserFactory
from testing.world import TenantWorld

NEW_ACCOUNT = {
    "name": "new vapi",
    "kind": "vapi",
    "settings": VALID_SETTINGS["vapi"],
    "secrets": VALID_SECRETS["vapi"],
}


def _snapshot(world: TenantWorld) -> dict[str, Any]:
    tenant = world.tenant
    return {
        "accounts": list(ProviderAccount.objects.for_tenant(tenant).values_list("name", "settings")),
        "integrations": list(Integration.objects.for_tenant(tenant).values_list("name", "config", "policy")),
        "tokens": list(ApiToken.objects.for_tenant(tenant).values_list("name", "revoked_at")),
        "members": sorted(Membership.objects.for_tenant(tenant).values_list("user_id", "role")),
        "audit": AuditEvent.objects.for_tenant(tenant).count(),
    }


@pytest.mark.parametrize("via", ["token", "session"])
def test_viewer_cannot_change_anything(world: TenantWorld, via: str) -> None:
    integration = IntegrationFactory(tenant=world.tenant)
    account = integration.account("twilio")
    stranger = UserFactory()
    before = _snapshot(world)
    api = world.api(Role.VIEWER, via=via)
    member = Membership.objects.get(tenant=world.tenant, user=world.users[Role.OPERATOR])
    attempts = [
        ("post", "/api/v1/accounts/", NEW_ACCOUNT),
        ("patch", f"/api/v1/accounts/{account.pk}/", {"name": "renamed"}),
        ("put", f"/api/v1/accounts/{account.pk}/", {"name": "renamed", "kind": "twilio", "settings": {}}),
        ("delete", f"/api/v1/accounts/{account.pk}/", None),
        ("post", "/api/v1/integrations/", {"name": "x", "kind": "twilio_synthflow"}),
        ("patch", f"/api/v1/integrations/{integration.pk}/", {"policy": "report"}),
        ("put", f"/api/v1/integrations/{integration.pk}/", {"policy": "report"}),
        ("delete", f"/api/v1/integrations/{integration.pk}/", None),
        ("post", "/api/v1/tokens/", {"name": "t", "role": "viewer"}),
        ("delete", f"/api/v1/tokens/{world.tokens[Role.OWNER].pk}/", None),
        ("post", "/api/v1/members/", {"email": stranger.email, "role": "viewer"}),
        ("patch", f"/api/v1/members/{member.pk}/", {"role": "viewer"}),
        ("delete", f"/api/v1/members/{member.pk}/", None),
    ]
    for method, url, body in attempts:
        response = getattr(api, method)(url, body, format="json")

        assert response.status_code == 403, (method, url, response.status_code)
        assert response.json()["code"] == "role_too_low", (method, url)
    assert _snapshot(world) == before


@pytest.mark.parametrize("via", ["token", "session"])
def test_viewer_reads_everything_but_tokens(world: TenantWorld, via: str) -> None:
    IntegrationFactory(tenant=world.tenant, name="visible")
    api = world.api(Role.VIEWER, via=via)

    assert api.get("/api/v1/integrations/").json()["results"][0]["name"] == "visible"
    assert api.get("/api/v1/accounts/").json()["count"] == 2
    assert api.get("/api/v1/members/").json()["count"] == 4
    assert api.get("/api/v1/audit/").status_code == 200
    assert api.get("/api/v1/tokens/").status_code == 403


@pytest.mark.parametrize("via", ["token", "session"])
def test_operator_runs_integrations_but_cannot_manage_members_or_tokens(world: TenantWorld, via: str) -> None:
    api = world.api(Role.OPERATOR, via=via)
    stranger = UserFactory()
    viewer = Membership.objects.get(tenant=world.tenant, user=world.users[Role.VIEWER])

    assert api.post("/api/v1/accounts/", NEW_ACCOUNT, format="json").status_code == 201
    assert api.get("/api/v1/tokens/").status_code == 403
    assert api.post("/api/v1/tokens/", {"name": "t", "role": "viewer"}, format="json").status_code == 403
    assert api.delete(f"/api/v1/tokens/{world.tokens[Role.VIEWER].pk}/").status_code == 403
    member_post = api.post("/api/v1/members/", {"email": stranger.email, "role": "viewer"}, format="json")
    assert member_post.status_code == 403
    assert api.patch(f"/api/v1/members/{viewer.pk}/", {"role": "operator"}, format="json").status_code == 403
    assert api.delete(f"/api/v1/members/{viewer.pk}/").status_code == 403
    assert not Membership.objects.filter(user=stranger).exists()
    assert Membership.objects.get(pk=viewer.pk).role == Role.VIEWER
    assert ApiToken.objects.get(pk=world.tokens[Role.VIEWER].pk).revoked_at is None


def test_a_viewer_token_cannot_post_even_when_an_owner_made_it(world: TenantWorld) -> None:
    token = ApiTokenFactory(tenant=world.tenant, role=Role.VIEWER, created_by=world.users[Role.OWNER])
    api = world.api()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api.post("/api/v1/accounts/", NEW_ACCOUNT, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "This needs the operator role; you have viewer.",
        "code": "role_too_low",
    }
    assert not ProviderAccount.objects.filter(name="new vapi").exists()


def test_an_operator_token_of_an_owner_cannot_manage_tokens(world: TenantWorld) -> None:
    token = ApiTokenFactory(tenant=world.tenant, role=Role.OPERATOR, created_by=world.users[Role.OWNER])
    api = world.api()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert api.post("/api/v1/tokens/", {"name": "t", "role": "viewer"}, format="json").status_code == 403


def test_a_token_role_cannot_exceed_its_creators_role(world: TenantWorld) -> None:
    api = world.api(Role.ADMIN, via="session")

    refused = api.post("/api/v1/tokens/", {"name": "too strong", "role": "owner"}, format="json")
    allowed = api.post("/api/v1/tokens/", {"name": "admin automation", "role": "admin"}, format="json")

    assert refused.status_code == 403
    assert "cannot exceed your own role (admin)" in refused.json()["detail"]
    assert allowed.status_code == 201
    assert list(
        ApiToken.objects.filter(name__in=["too strong", "admin automation"]).values_list("name", "role")
    ) == [("admin automation", "admin")]


def test_admin_manages_members_but_never_the_owner_role(world: TenantWorld) -> None:
    api = world.api(Role.ADMIN)
    newcomer = UserFactory()
    owner = Membership.objects.get(tenant=world.tenant, user=world.users[Role.OWNER])
    viewer = Membership.objects.get(tenant=world.tenant, user=world.users[Role.VIEWER])

    added = api.post("/api/v1/members/", {"email": newcomer.email.upper(), "role": "operator"}, format="json")
    promoted = api.patch(f"/api/v1/members/{viewer.pk}/", {"role": "operator"}, format="json")
    grant_owner = api.patch(f"/api/v1/members/{viewer.pk}/", {"role": "owner"}, format="json")
    add_owner = api.post("/api/v1/members/", {"email": UserFactory().email, "role": "owner"}, format="json")
    demote_owner = api.patch(f"/api/v1/members/{owner.pk}/", {"role": "viewer"}, format="json")
    remove_owner = api.delete(f"/api/v1/members/{owner.pk}/")

    assert added.status_code == 202  # an invitation: they join when they accept it
    assert added.json()["email"] == newcomer.email.upper()
    assert added.json()["role"] == "operator"
    assert added.json()["status"] == "pending"
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "operator"
    for refused in (grant_owner, add_owner, demote_owner, remove_owner):
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Only an owner can grant, change or remove the owner role."
    assert Membership.objects.get(pk=owner.pk).role == Role.OWNER
    assert Membership.objects.get(pk=viewer.pk).role == Role.OPERATOR


def test_the_last_owner_can_be_neither_demoted_nor_removed(world: TenantWorld) -> None:
    api = world.api(Role.OWNER, via="session")
    owner = Membership.objects.get(tenant=world.tenant, user=world.users[Role.OWNER])
    admin = Membership.objects.get(tenant=world.tenant, user=world.users[Role.ADMIN])

    demoted = api.patch(f"/api/v1/members/{owner.pk}/", {"role": "admin"}, format="json")
    removed = api.delete(f"/api/v1/members/{owner.pk}/")
    assert demoted.status_code == removed.status_code == 409
    assert demoted.json()["code"] == removed.json()["code"] == "last_owner"

    assert api.patch(f"/api/v1/members/{admin.pk}/", {"role": "owner"}, format="json").status_code == 200
    assert api.delete(f"/api/v1/members/{owner.pk}/").status_code == 204
    assert list(Membership.objects.for_tenant(world.tenant).filter(role=Role.OWNER)) == [admin]


def test_inviting_a_member_is_a_field_error_and_any_other_address_gets_the_same_answer(
    world: TenantWorld,
) -> None:
    api = world.api(Role.ADMIN)
    stranger = UserFactory(email="known@elsewhere.example", username="known@elsewhere.example")

    twice = api.post(
        "/api/v1/members/", {"email": world.users[Role.VIEWER].email, "role": "viewer"}, format="json"
    )
    unknown = api.post("/api/v1/members/", {"email": "nobody@example.com", "role": "viewer"}, format="json")
    known = api.post("/api/v1/members/", {"email": stranger.email, "role": "viewer"}, format="json")

    assert twice.status_code == 400
    assert twice.json()["errors"] == {"email": ["This address already belongs to a member of the tenant."]}
    assert unknown.status_code == known.status_code == 202
    shape = {key for key in unknown.json() if key not in {"id", "email", "created_at", "expires_at"}}
    assert {k: unknown.json()[k] for k in shape} == {k: known.json()[k] for k in shape}
    assert not Membership.objects.filter(tenant=world.tenant, user=stranger).exists()  # no consent yet


def test_a_user_without_any_tenant_gets_403_from_the_api(db: Any) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(UserFactory())

    response = api.get("/api/v1/integrations/")

    assert response.status_code == 403
    assert response.json() == {"detail": "You are not a member of any tenant.", "code": "no_tenant"}
