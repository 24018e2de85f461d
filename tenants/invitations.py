"""Membership by invitation (issue 13, item 8): every step an audited action.

    invite_member(tenant, email, role, *, actor) -> Invitation   # emails a single-use link
    revoke_invitation(invitation, *, actor) -> Invitation
    accept_invitation(invitation, user, *, actor) -> Membership
    find_invitation(token) -> Invitation | None                  # by the link's token, any tenant

Inviting never looks up whether the email has a Patchbay login, so the answer is
the same either way: no admin learns about accounts outside their tenant, and
nobody joins a tenant without following the link sent to their inbox.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError

from tenants.actions import add_member
from tenants.audit import Actor, record_audit
from tenants.choices import AuditAction, Role
from tenants.exceptions import Conflict
from tenants.models import Invitation, Membership, Tenant
from tenants.models.invitations import generate_invitation_token, hash_invitation_token

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


class EmailUnavailable(APIException):
    """The invitation email could not be handed to the mail server; nothing was created."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The invitation email could not be sent; try again later."
    default_code = "email_unavailable"


def accept_url(token: str) -> str:
    """The link in the invitation email."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('tenants:invitation-accept', args=[token])}"


@transaction.atomic
def invite_member(tenant: Tenant, email: str, role: str, *, actor: Actor) -> Invitation:
    """Email `email` a link to join `tenant` as `role`; replaces a pending invitation to the same address."""
    role = Role(role)
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can grant, change or remove the owner role.")
    email = email.strip()
    if Membership.objects.filter(tenant=tenant, user__email__iexact=email).exists():
        # Only this tenant's own members are looked at: the admin can list them anyway.
        raise ValidationError({"email": ["This address already belongs to a member of the tenant."]})
    now = timezone.now()
    for earlier in Invitation.objects.select_for_update().filter(
        tenant=tenant, email__iexact=email, accepted_at=None, revoked_at=None, expires_at__gt=now
    ):
        revoke_invitation(earlier, actor=actor)
    token = generate_invitation_token()
    invitation = Invitation.objects.create(
        tenant=tenant,
        email=email,
        role=role,
        invited_by=actor.user,
        token_hash=hash_invitation_token(token),
        expires_at=now + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
    )
    record_audit(
        actor,
        AuditAction.MEMBER_INVITED,
        invitation,
        diff={
            "email": [None, email],
            "role": [None, role],
            "expires_at": [None, invitation.expires_at.isoformat()],
        },
    )
    inviter = actor.label if actor.user is not None else "Patchbay"
    try:
        send_mail(
            subject=f"You are invited to {tenant.name} on Patchbay",
            message=(
                f"{inviter} invited you to join {tenant.name} on Patchbay as {role}.\n\n"
                f"Accept: {accept_url(token)}\n\n"
                f"The link works once and expires on {invitation.expires_at:%Y-%m-%d %H:%M} UTC. "
                "If you did not expect it, ignore this email."
            ),
            from_email=None,
            recipient_list=[email],
        )
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("invitation email to tenant %s failed: %s", tenant.slug, type(exc).__name__)
        raise EmailUnavailable() from exc
    return invitation


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, actor: Actor) -> Invitation:
    """Make a pending invitation's link stop working; revoking twice changes nothing."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending():
        return invitation
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_audit(
        actor,
        AuditAction.INVITATION_REVOKED,
        invitation,
        diff={"revoked_at": [None, invitation.revoked_at.isoformat()]},
    )
    return invitation


@transaction.atomic
def accept_invitation(invitation: Invitation, user: User, *, actor: Actor) -> Membership:
    """Make `user` (whose email the invitation was sent to) a member with the invited role; once only."""
    invitation = Invitation.objects.select_for_update().select_related("tenant").get(pk=invitation.pk)
    if not invitation.is_pending():
        raise Conflict(f"This invitation is {invitation.status}.", code=f"invitation_{invitation.status}")
    if (getattr(user, "email", "") or "").lower() != invitation.email.lower():
        raise PermissionDenied(f"This invitation was sent to {invitation.email}; log in as that user.")
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record_audit(
        actor, AuditAction.INVITATION_ACCEPTED, invitation, diff={"accepted_by": [None, invitation.email]}
    )
    # The inviter's authority, checked when the invitation was made, grants the role.
    grant = Actor(user=user, ip=actor.ip, role=Role.OWNER)
    return add_member(invitation.tenant, user, invitation.role, actor=grant)


def find_invitation(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, in any tenant (the token is the credential)."""
    if not token.startswith("pbi_"):
        return None
    return (
        Invitation.objects.select_related("tenant", "invited_by")
        .filter(token_hash=hash_invitation_token(token))
        .first()
    )
