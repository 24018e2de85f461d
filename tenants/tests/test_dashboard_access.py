"""Tokens, members and the audit log through the dashboard, as admins use them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tenants.choices import AuditAction, Role
from tenants.models import ApiToken, AuditEvent, Membership
from tenants.models.tokens import hash_key
from tenants.tests.factories import AuditEventFactory, UserFactory
from testing.world import TenantWorld

TOKENS = reverse("tenants:token-list")
MEMBERS = reverse("tenants:member-list")
AUDIT = reverse("tenants:audit-list")


def key_on_page(html: str) -> str:
    """The token key shown in the reveal box."""
    start = html.index('id="new-token-key">') + len('id="new-token-key">')
    return html[start : html.index("</code>", start)]


def test_a_new_token_key_is_shown_once_and_works(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    client = dashboard_client(world.users[Role.ADMIN])

    created = client.post(TOKENS, {"name": "terraform", "role": "operator"}, follow=True)
    html = created.content.decode()
    key = key_on_page(html)
    token = ApiToken.objects.get(tenant=world.tenant, name="terraform")

    assert "Copy the key now" in html
    assert "no-store" in created["Cache-Control"]
    assert token.key_hash == hash_key(key)
    assert token.role == Role.OPERATOR
    assert token.created_by == world.users[Role.ADMIN]
    again = client.get(reverse("tenants:token-created", args=[token.pk])).content.decode()
    assert key not in again
    assert "The key is no longer shown" in again
    listing = client.get(TOKENS).content.decode()
    assert key not in listing
    assert f"{token.prefix}…" in listing
    api = Client().get("/api/v1/integrations/", HTTP_AUTHORIZATION=f"Token {key}")
    assert api.status_code == 200
    assert AuditEvent.objects.filter(tenant=world.tenant, action=AuditAction.TOKEN_CREATED).count() == 1


def test_token_list_shows_role_last_use_expiry_and_status(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    used = world.tokens[Role.OPERATOR]
    used.last_used_at = timezone.now() - timedelta(hours=3)
    used.expires_at = timezone.now() + timedelta(days=30)
    used.save()
    expired = world.tokens[Role.VIEWER]
    expired.expires_at = timezone.now() - timedelta(days=1)
    expired.save()

    html = dashboard_client(world.users[Role.OWNER]).get(TOKENS).content.decode()

    assert "3\xa0hours ago" in html
    assert (used.expires_at).strftime("%Y-%m-%d") in html
    assert "Expired" in html
    assert html.count("Active") == 3  # owner, admin and operator tokens
    assert "never" in html  # tokens that were never used / never expire


def test_a_token_cannot_outrank_its_creator_and_nothing_is_saved(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    before = ApiToken.objects.count()

    response = dashboard_client(world.users[Role.ADMIN]).post(TOKENS, {"name": "root", "role": "owner"})

    assert response.status_code == 400
    assert "cannot exceed your own role" in response.content.decode()
    assert ApiToken.objects.count() == before


def test_token_form_errors_sit_beside_their_fields(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    before = ApiToken.objects.count()

    response = dashboard_client(world.users[Role.ADMIN]).post(
        TOKENS, {"name": "", "role": "superuser", "expires_at": "2001-01-01T00:00"}
    )
    html = response.content.decode()

    assert response.status_code == 400
    assert 'data-field="name"' in html
    assert '<ul class="errorlist" id="id_name_errors"><li>This field is required.' in html
    assert '<ul class="errorlist" id="id_role_errors"><li>Select a valid choice.' in html
    assert ApiToken.objects.count() == before


def test_a_past_expiry_is_refused_by_the_action(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    response = dashboard_client(world.users[Role.ADMIN]).post(
        TOKENS, {"name": "old", "role": "viewer", "expires_at": "2001-01-01T00:00"}
    )

    assert response.status_code == 400
    assert (
        '<ul class="errorlist" id="id_expires_at_errors"><li>Must be in the future.'
        in response.content.decode()
    )
    assert not ApiToken.objects.filter(name="old").exists()


def test_revoking_a_token_stops_it_and_is_audited(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    token = world.tokens[Role.OPERATOR]

    page = dashboard_client(world.users[Role.ADMIN]).post(
        reverse("tenants:token-revoke", args=[token.pk]), follow=True
    )

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "revoked: requests with it now get 401" in page.content.decode()
    assert "Revoked" in page.content.decode()
    assert (
        Client()
        .get("/api/v1/integrations/", HTTP_AUTHORIZATION=f"Token {world.key(Role.OPERATOR)}")
        .status_code
        == 401
    )
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED, object_id=str(token.pk)).exists()


def test_admins_invite_change_and_remove_members(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    newcomer = UserFactory(username="newcomer@example.com", email="newcomer@example.com")
    client = dashboard_client(world.users[Role.ADMIN])

    invited = client.post(MEMBERS, {"email": "NEWCOMER@example.com", "role": "operator"}, follow=True)
    assert "Invitation sent to NEWCOMER@example.com as operator" in invited.content.decode()
    assert not Membership.objects.filter(tenant=world.tenant, user=newcomer).exists()  # not before consent
    link = re.search(r"https?://[^/\s]+(/invitations/accept/\S+/)", mail.outbox[-1].body).group(1)
    dashboard_client(newcomer).post(link)
    membership = Membership.objects.get(tenant=world.tenant, user=newcomer)
    assert membership.role == Role.OPERATOR

    client.post(reverse("tenants:member-role", args=[membership.pk]), {"role": "viewer"})
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER

    removed = client.post(reverse("tenants:member-remove", args=[membership.pk]), follow=True)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert "newcomer@example.com removed from the tenant." in removed.content.decode()
    actions = list(
        AuditEvent.objects.filter(tenant=world.tenant, object_id=str(membership.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted(
        [AuditAction.MEMBER_ADDED, AuditAction.MEMBER_ROLE_CHANGED, AuditAction.MEMBER_REMOVED]
    )


def test_inviting_says_the_same_for_any_email_and_explains_bad_input(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    UserFactory(username="someone@example.com", email="someone@example.com")  # has a login elsewhere
    client = dashboard_client(world.users[Role.ADMIN])
    before = Membership.objects.count()

    unknown = client.post(MEMBERS, {"email": "nobody@example.com", "role": "viewer"}, follow=True)
    known = client.post(MEMBERS, {"email": "someone@example.com", "role": "viewer"}, follow=True)
    bad = client.post(MEMBERS, {"email": "not-an-email", "role": "boss"})

    # Whether an address has a login is not revealed to another tenant's admin (issue 13, item 8).
    assert "Invitation sent to nobody@example.com as viewer" in unknown.content.decode()
    assert "Invitation sent to someone@example.com as viewer" in known.content.decode()
    assert bad.status_code == 400
    assert "Enter a valid email address." in bad.content.decode()
    assert "Select a valid choice." in bad.content.decode()
    assert Membership.objects.count() == before


def test_only_owners_grant_owner_and_the_last_owner_stays(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    viewer = Membership.objects.get(tenant=world.tenant, user=world.users[Role.VIEWER])
    owner = Membership.objects.get(tenant=world.tenant, user=world.users[Role.OWNER])

    promoted = dashboard_client(world.users[Role.ADMIN]).post(
        reverse("tenants:member-role", args=[viewer.pk]), {"role": "owner"}, follow=True
    )
    removed = dashboard_client(world.users[Role.OWNER]).post(
        reverse("tenants:member-remove", args=[owner.pk]), follow=True
    )

    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER
    assert "Only an owner can grant" in promoted.content.decode()
    assert Membership.objects.filter(pk=owner.pk).exists()
    assert "needs at least one owner" in removed.content.decode()


def test_audit_log_pages_and_filters_by_action(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    for number in range(55):
        AuditEventFactory(
            tenant=world.tenant, action=AuditAction.INTEGRATION_UPDATED, object_repr=f"line-{number:02d}"
        )
    AuditEventFactory(tenant=world.tenant, action=AuditAction.ACCOUNT_DELETED, object_repr="old vapi key")
    client = dashboard_client(world.users[Role.VIEWER])

    first = client.get(AUDIT).content.decode()
    second = client.get(AUDIT, {"page": 2}).content.decode()
    filtered = client.get(AUDIT, {"action": AuditAction.ACCOUNT_DELETED}).content.decode()

    assert "Page 1 of 2 · 56 entries" in first
    assert "old vapi key" in first  # newest first
    assert "line-00" in second
    assert "line-00" not in first
    assert "old vapi key" in filtered
    assert "line-" not in filtered
    assert '<option value="account.deleted" selected>Provider account deleted</option>' in filtered


def test_audit_log_empty_states_say_what_shows_up_there(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    client = dashboard_client(world.users[Role.VIEWER])
    AuditEvent.objects.filter(tenant=world.tenant).delete()

    assert "Changes to integrations, provider accounts, tokens and members appear here" in (
        client.get(AUDIT).content.decode()
    )
    assert "Clear the filter" in client.get(AUDIT, {"action": "token.revoked"}).content.decode()
