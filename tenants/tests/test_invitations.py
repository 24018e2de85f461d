"""Membership by invitation: emailed single-use link, accepted by the invitee, every step audited."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core import mail
from django.test import Client
from django.utils import timezone

from tenants.choices import Role
from tenants.models import AuditEvent, Invitation, Membership
from tenants.tests.factories import PASSWORD, UserFactory
from testing.world import TenantWorld


def _link() -> str:
    """The accept path in the last email sent."""
    match = re.search(r"https?://[^/\s]+(/invitations/accept/\S+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_a_new_person_joins_by_the_emailed_link_and_the_link_works_once(world: TenantWorld) -> None:
    invited = world.api(Role.ADMIN).post(
        "/api/v1/members/", {"email": "new.hire@example.com", "role": "operator"}, format="json"
    )
    link = _link()
    browser = Client()

    page = browser.get(link)
    joined = browser.post(link, {"password1": "a-long-new-password-1", "password2": "a-long-new-password-1"})

    assert invited.status_code == 202
    assert mail.outbox[-1].to == ["new.hire@example.com"]
    assert "Choose a password for new.hire@example.com" in page.content.decode()
    assert joined.status_code == 302
    membership = Membership.objects.get(tenant=world.tenant, user__email="new.hire@example.com")
    assert membership.role == Role.OPERATOR
    assert browser.get("/members/").status_code == 200  # logged in, in the tenant
    assert Client().get(link).status_code == 404  # single use
    actions = list(
        AuditEvent.objects.filter(tenant=world.tenant, action__startswith="member.")
        .order_by("at")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["member.invited", "member.invitation_accepted", "member.added"]


def test_an_existing_user_logs_in_and_accepts_and_another_user_cannot(world: TenantWorld) -> None:
    person = UserFactory(username="pat@example.com", email="pat@example.com")
    world.api(Role.ADMIN).post(
        "/api/v1/members/", {"email": "PAT@example.com", "role": "viewer"}, format="json"
    )
    link = _link()

    anonymous = Client().get(link)
    intruder = Client()
    intruder.force_login(world.users[Role.VIEWER])
    refused = intruder.post(link)
    pat = Client()
    pat.post("/accounts/login/", {"username": "pat@example.com", "password": PASSWORD})
    accepted = pat.post(link)

    assert "Log in as PAT@example.com to accept" in anonymous.content.decode()
    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert Membership.objects.get(tenant=world.tenant, user=person).role == Role.VIEWER


def test_revoked_and_expired_links_do_not_work(world: TenantWorld) -> None:
    admin = world.api(Role.ADMIN)
    first = admin.post("/api/v1/members/", {"email": "a@example.com", "role": "viewer"}, format="json").json()
    revoked_link = _link()
    admin.post("/api/v1/members/", {"email": "b@example.com", "role": "viewer"}, format="json")
    expired_link = _link()
    Invitation.objects.filter(email="b@example.com").update(expires_at=timezone.now() - timedelta(seconds=1))

    listed = admin.get("/api/v1/invitations/").json()["results"]
    revoked = admin.delete(f"/api/v1/invitations/{first['id']}/")

    assert {row["email"]: row["status"] for row in listed} == {
        "a@example.com": "pending",
        "b@example.com": "expired",
    }
    assert revoked.json()["status"] == "revoked"
    assert "It was revoked." in Client().get(revoked_link).content.decode()
    assert "It has expired." in Client().get(expired_link).content.decode()
    assert AuditEvent.objects.filter(action="member.invitation_revoked", object_id=first["id"]).exists()


def test_admins_invite_list_and_revoke_on_the_members_page(world: TenantWorld, dashboard_client: Any) -> None:
    admin = dashboard_client(world.users[Role.ADMIN])

    sent = admin.post("/members/", {"email": "someone@example.com", "role": "viewer"}, follow=True)
    invitation = Invitation.objects.get(email="someone@example.com")
    revoked = admin.post(f"/invitations/{invitation.pk}/revoke/", follow=True)

    assert "Invitation sent to someone@example.com as viewer" in sent.content.decode()
    assert "Pending invitations" in sent.content.decode()
    assert len(mail.outbox) == 1
    assert "Invitation to someone@example.com revoked." in revoked.content.decode()
    assert "Pending invitations" not in revoked.content.decode()
    viewer = dashboard_client(world.users[Role.VIEWER])
    assert viewer.post("/members/", {"email": "x@example.com", "role": "viewer"}).status_code == 403
