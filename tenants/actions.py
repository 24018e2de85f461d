"""Every change of tenancy state, each audited in the same transaction (Zulip-style actions).

For the dashboard (all raise DRF `ValidationError` keyed by field, `PermissionDenied`
or `tenants.exceptions.Conflict`, i.e. `APIException` subclasses):

    create_tenant(slug: str, name: str, *, owner: User, actor: Actor) -> Tenant
    add_member(tenant: Tenant, user: User, role: str, *, actor: Actor) -> Membership
    change_member_role(membership: Membership, role: str, *, actor: Actor) -> Membership
    remove_member(membership: Membership, *, actor: Actor) -> None
    create_api_token(tenant, *, name: str, role: str, actor: Actor,
                     expires_at: datetime | None = None) -> tuple[ApiToken, str]  # (token, key shown once)
    revoke_api_token(token: ApiToken, *, actor: Actor) -> ApiToken
    switch_tenant(request: TenantHttpRequest, tenant: Tenant) -> Membership  # session's current tenant
    current_membership(user, session) -> Membership | None  # what TenantMiddleware uses
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied, ValidationError

from tenants.audit import Actor, record_audit
from tenants.choices import AuditAction, Role
from tenants.exceptions import Conflict
from tenants.models import ApiToken, Membership, Tenant
from tenants.models.tokens import DISPLAY_PREFIX_LENGTH, generate_key, hash_key

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.base import SessionBase

    from tenants.requests import TenantHttpRequest

#: session key holding the id of the tenant a dashboard user is working in
SESSION_TENANT_KEY = "patchbay_tenant_id"


@transaction.atomic
def create_tenant(slug: str, name: str, *, owner: User, actor: Actor) -> Tenant:
    """A new tenant with `owner` as its first owner."""
    if Tenant.objects.filter(slug=slug).exists():
        raise Conflict(f"A tenant with the slug {slug!r} already exists.", code="tenant_exists")
    tenant = Tenant(slug=slug, name=name or slug)
    tenant.full_clean()
    tenant.save()
    record_audit(actor, AuditAction.TENANT_CREATED, tenant, diff={"slug": [None, slug], "name": [None, name]})
    membership = Membership.objects.create(tenant=tenant, user=owner, role=Role.OWNER)
    record_audit(actor, AuditAction.MEMBER_ADDED, membership, diff={"role": [None, Role.OWNER]})
    return tenant


def _require_owner_for(actor: Actor, *roles: str) -> None:
    """Only owners may grant, change or remove the owner role."""
    if Role.OWNER in roles and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can grant, change or remove the owner role.")


def _owners_left_after(membership: Membership) -> int:
    return (
        Membership.objects.select_for_update()
        .filter(tenant_id=membership.tenant_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .count()
    )


@transaction.atomic
def add_member(tenant: Tenant, user: User, role: str, *, actor: Actor) -> Membership:
    """Give an existing user a role in `tenant`."""
    role = Role(role)
    _require_owner_for(actor, role)
    if Membership.objects.filter(tenant=tenant, user=user).exists():
        raise ValidationError({"email": ["This user is already a member of the tenant."]})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(tenant=tenant, user=user, role=role)
    except IntegrityError as exc:  # a concurrent add of the same user
        raise ValidationError({"email": ["This user is already a member of the tenant."]}) from exc
    record_audit(actor, AuditAction.MEMBER_ADDED, membership, diff={"role": [None, role]})
    return membership


@transaction.atomic
def change_member_role(membership: Membership, role: str, *, actor: Actor) -> Membership:
    """Change a member's role; the last owner cannot be demoted."""
    role = Role(role)
    membership = Membership.objects.select_for_update().select_related("user", "tenant").get(pk=membership.pk)
    old = membership.role
    if old == role:
        return membership
    _require_owner_for(actor, old, role)
    if old == Role.OWNER and _owners_left_after(membership) == 0:
        raise Conflict(
            "The tenant needs at least one owner; make someone else owner first.", code="last_owner"
        )
    membership.role = role
    membership.save(update_fields=["role"])
    record_audit(actor, AuditAction.MEMBER_ROLE_CHANGED, membership, diff={"role": [old, role]})
    # Their tokens act with min(token role, member role) from the next request on; say which now drop.
    for token in _active_tokens_of(membership):
        before, after = _capped(token.role, old), _capped(token.role, role)
        if before != after:
            record_audit(
                actor, AuditAction.TOKEN_ROLE_CAPPED, token, diff={"effective_role": [before, after]}
            )
    return membership


def _capped(token_role: str, member_role: str) -> str:
    return token_role if Role.rank(token_role) <= Role.rank(member_role) else member_role


def _active_tokens_of(membership: Membership) -> list[ApiToken]:
    now = timezone.now()
    return list(
        ApiToken.objects.select_for_update()
        .filter(tenant_id=membership.tenant_id, created_by_id=membership.user_id, revoked_at__isnull=True)
        .exclude(expires_at__lte=now)
        .order_by("created_at", "id")
    )


@transaction.atomic
def remove_member(membership: Membership, *, actor: Actor) -> None:
    """Take a user out of a tenant; the last owner cannot be removed."""
    membership = Membership.objects.select_for_update().select_related("user", "tenant").get(pk=membership.pk)
    _require_owner_for(actor, membership.role)
    if membership.role == Role.OWNER and _owners_left_after(membership) == 0:
        raise Conflict(
            "The tenant needs at least one owner; make someone else owner first.", code="last_owner"
        )
    record_audit(actor, AuditAction.MEMBER_REMOVED, membership, diff={"role": [membership.role, None]})
    # Their tokens die with their membership (issue 13, item 5).
    for token in _active_tokens_of(membership):
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(
            actor,
            AuditAction.TOKEN_REVOKED,
            token,
            diff={"revoked_at": [None, _iso(token.revoked_at)], "reason": [None, "creator removed"]},
        )
    membership.delete()


@transaction.atomic
def create_api_token(
    tenant: Tenant, *, name: str, role: str, actor: Actor, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token and its key; the key is returned here once and never stored."""
    role = Role(role)
    if not Role.covers(actor.role, role):
        raise PermissionDenied(f"A token's role cannot exceed your own role ({actor.role}).")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": ["Must be in the future."]})
    key = generate_key()
    token = ApiToken.objects.create(
        tenant=tenant,
        name=name,
        role=role,
        created_by=actor.user,
        prefix=key[:DISPLAY_PREFIX_LENGTH],
        key_hash=hash_key(key),
        expires_at=expires_at,
    )
    record_audit(
        actor,
        AuditAction.TOKEN_CREATED,
        token,
        diff={"name": [None, name], "role": [None, role], "expires_at": [None, _iso(expires_at)]},
    )
    return token, key


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: Actor) -> ApiToken:
    """Revoke a token now; revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_audit(actor, AuditAction.TOKEN_REVOKED, token, diff={"revoked_at": [None, _iso(token.revoked_at)]})
    return token


def current_membership(user: User, session: SessionBase) -> Membership | None:
    """The membership a dashboard user works in: the session's tenant, else their first one."""
    memberships = Membership.objects.filter(user=user).select_related("tenant")
    wanted = session.get(SESSION_TENANT_KEY)
    membership = memberships.filter(tenant_id=wanted).first() if wanted is not None else None
    if membership is None:
        # The session points nowhere (first visit, or the user was removed from that tenant).
        membership = memberships.order_by("created_at", "id").first()
        if membership is not None and wanted != membership.tenant_id:
            session[SESSION_TENANT_KEY] = membership.tenant_id
        elif membership is None and wanted is not None:
            del session[SESSION_TENANT_KEY]
    return membership


def switch_tenant(request: TenantHttpRequest, tenant: Tenant) -> Membership:
    """Make `tenant` the session's current tenant; 404 if the user is not a member of it."""
    membership = (
        Membership.objects.select_related("tenant").filter(user=request.user.pk, tenant=tenant).first()
    )
    if membership is None:
        raise Http404("No such tenant.")
    request.session[SESSION_TENANT_KEY] = tenant.pk
    request.tenant = tenant
    request.membership = membership
    return membership


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
