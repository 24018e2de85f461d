"""Test data for tenancy: users, tenants, memberships, API tokens (with their keys), audit events."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from factory.django import DjangoModelFactory

from tenants.choices import AuditAction, Role
from tenants.models import ApiToken, AuditEvent, Invitation, Membership, Tenant
from tenants.models.invitations import generate_invitation_token, hash_invitation_token
from tenants.models.tokens import DISPLAY_PREFIX_LENGTH, generate_key, hash_key

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    """A user who can log in with `PASSWORD`."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.LazyAttribute(lambda user: user.username)
    password = PASSWORD

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        # Hashing a password takes a good fraction of a second by design; hash it once.
        if kwargs.get("password") == PASSWORD:
            kwargs["password"] = _password_hash()
        else:
            kwargs["password"] = make_password(kwargs.get("password"))
        return model_class.objects.create(*args, **kwargs)


@functools.cache
def _password_hash() -> str:
    return make_password(PASSWORD)


class TenantFactory(DjangoModelFactory):
    """A tenant with a unique slug."""

    class Meta:
        model = Tenant

    slug = factory.Sequence(lambda n: f"tenant-{n}")
    name = factory.LazyAttribute(lambda tenant: f"Tenant {tenant.slug}")


class MembershipFactory(DjangoModelFactory):
    """A user's role in a tenant (viewer unless told)."""

    class Meta:
        model = Membership

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.VIEWER


class ApiTokenFactory(DjangoModelFactory):
    """A token; its clear key is on `token.key` (only in tests: keys are never stored)."""

    class Meta:
        model = ApiToken

    key = factory.LazyFunction(generate_key)
    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"token {n}")
    role = Role.OPERATOR
    # Tokens act at most with their creator's role: by default the creator is a member with the same role.
    created_by = factory.LazyAttribute(
        lambda token: MembershipFactory(tenant=token.tenant, role=token.role).user
    )
    prefix = factory.LazyAttribute(lambda token: token.key[:DISPLAY_PREFIX_LENGTH])
    key_hash = factory.LazyAttribute(lambda token: hash_key(token.key))

    @classmethod
    def _create(cls, model_class: type[ApiToken], *args: Any, **kwargs: Any) -> ApiToken:
        key = kwargs.pop("key")
        token = super()._create(model_class, *args, **kwargs)
        token.key = key  # type: ignore[attr-defined]
        return token


class AuditEventFactory(DjangoModelFactory):
    """An audit event about some object of the tenant."""

    class Meta:
        model = AuditEvent

    tenant = factory.SubFactory(TenantFactory)
    action = AuditAction.INTEGRATION_CREATED
    actor_label = "someone@example.com"
    object_type = "integration"
    object_id = factory.Sequence(lambda n: f"object-{n}")
    object_repr = factory.Sequence(lambda n: f"object {n}")
    diff = factory.LazyFunction(dict)


class InvitationFactory(DjangoModelFactory):
    """A pending invitation; its link token is on `invitation.token` (only in tests: never stored)."""

    class Meta:
        model = Invitation

    token = factory.LazyFunction(generate_invitation_token)
    tenant = factory.SubFactory(TenantFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.VIEWER
    token_hash = factory.LazyAttribute(lambda invitation: hash_invitation_token(invitation.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))

    @classmethod
    def _create(cls, model_class: type[Invitation], *args: Any, **kwargs: Any) -> Invitation:
        token = kwargs.pop("token")
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.token = token  # type: ignore[attr-defined]
        return invitation
