"""The dashboard's current tenant: first membership by default, switchable, and never a foreign one."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory

from tenants.actions import SESSION_TENANT_KEY, switch_tenant
from tenants.choices import Role
from tenants.context_processors import tenant as tenant_context
from tenants.middleware import TenantMiddleware
from tenants.models import Membership
from tenants.tests.factories import MembershipFactory, TenantFactory, UserFactory
from testing.world import TenantWorld


def _request(user: Any, session: SessionStore | None = None) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    request.session = session if session is not None else SessionStore()
    TenantMiddleware(lambda r: HttpResponse())(request)
    return request


def test_a_user_starts_in_their_first_tenant(world: TenantWorld, other_world: TenantWorld) -> None:
    user = world.users[Role.VIEWER]
    MembershipFactory(user=user, tenant=other_world.tenant, role=Role.OPERATOR)

    request = _request(user)

    assert request.tenant == world.tenant
    assert request.membership.role == Role.VIEWER
    assert request.session[SESSION_TENANT_KEY] == world.tenant.pk


def test_switching_tenant_sticks_for_the_session(world: TenantWorld, other_world: TenantWorld) -> None:
    user = world.users[Role.VIEWER]
    MembershipFactory(user=user, tenant=other_world.tenant, role=Role.OPERATOR)
    request = _request(user)

    membership = switch_tenant(request, other_world.tenant)
    later = _request(user, request.session)

    assert membership.role == Role.OPERATOR
    assert later.tenant == other_world.tenant
    assert later.membership.role == Role.OPERATOR


def test_switching_to_a_tenant_one_is_not_in_is_a_404(world: TenantWorld, other_world: TenantWorld) -> None:
    request = _request(world.users[Role.OWNER])

    with pytest.raises(Http404):
        switch_tenant(request, other_world.tenant)
    assert request.tenant == world.tenant
    assert request.session[SESSION_TENANT_KEY] == world.tenant.pk


def test_a_session_pointing_at_a_tenant_one_left_falls_back(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    user = world.users[Role.VIEWER]
    MembershipFactory(user=user, tenant=other_world.tenant)
    request = _request(user)
    switch_tenant(request, other_world.tenant)
    Membership.objects.filter(user=user, tenant=other_world.tenant).delete()

    later = _request(user, request.session)

    assert later.tenant == world.tenant
    assert later.session[SESSION_TENANT_KEY] == world.tenant.pk


def test_without_membership_or_login_there_is_no_tenant(db: Any) -> None:
    assert _request(AnonymousUser()).tenant is None
    lonely = _request(UserFactory())
    assert lonely.tenant is None
    assert lonely.membership is None


def test_the_template_context_lists_the_users_tenants(world: TenantWorld) -> None:
    user = world.users[Role.ADMIN]
    extra = TenantFactory(name="Zeta Corp")
    MembershipFactory(user=user, tenant=extra)
    request = _request(user)

    context = tenant_context(request)

    assert context["current_tenant"] == world.tenant
    assert context["current_membership"].role == Role.ADMIN
    assert [m.tenant.name for m in context["tenant_memberships"]] == ["Acme Inc", "Zeta Corp"]
