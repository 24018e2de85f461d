"""`TenantScopedMixin`, the base of dashboard views: login, role check, rows of the current tenant only."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from integrations.models import Integration
from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from tenants.middleware import TenantMiddleware
from tenants.mixins import TenantScopedMixin
from testing.world import TenantWorld


class IntegrationDetail(TenantScopedMixin, DetailView):
    model = Integration

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        return HttpResponse(self.object.name)


class IntegrationNames(TenantScopedMixin, ListView):
    model = Integration

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        return HttpResponse(",".join(i.name for i in context["object_list"]))


class IntegrationDelete(TenantScopedMixin, SingleObjectMixin, ListView):
    model = Integration
    write_role = Role.OPERATOR

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponse(self.get_object().name)


class MisorderedDetail(SingleObjectMixin, TenantScopedMixin, TemplateView):
    model = Integration

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponse(self.get_object().name)


def _request(user: Any, method: str = "get") -> HttpRequest:
    request = getattr(RequestFactory(), method)("/")
    request.user = user
    request.session = SessionStore()
    TenantMiddleware(lambda r: HttpResponse())(request)
    return request


def test_a_view_shows_its_own_tenants_rows_and_404s_on_others(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    mine = IntegrationFactory(tenant=world.tenant, name="mine")
    theirs = IntegrationFactory(tenant=other_world.tenant, name="theirs")
    request = _request(world.users[Role.VIEWER])

    assert IntegrationDetail.as_view()(request, pk=mine.pk).content == b"mine"
    assert IntegrationNames.as_view()(request).content == b"mine"
    with pytest.raises(Http404):
        IntegrationDetail.as_view()(request, pk=theirs.pk)


def test_writes_need_the_write_role(world: TenantWorld) -> None:
    integration = IntegrationFactory(tenant=world.tenant, name="mine")

    with pytest.raises(PermissionDenied, match="needs the operator role; you have viewer"):
        IntegrationDelete.as_view()(_request(world.users[Role.VIEWER], "post"), pk=integration.pk)
    response = IntegrationDelete.as_view()(_request(world.users[Role.OPERATOR], "post"), pk=integration.pk)
    assert response.content == b"mine"


def test_anonymous_users_are_sent_to_login(db: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    response = IntegrationNames.as_view()(_request(AnonymousUser()))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_base_that_would_bypass_scoping_fails_closed(world: TenantWorld, other_world: TenantWorld) -> None:
    theirs = IntegrationFactory(tenant=other_world.tenant, name="theirs")

    with pytest.raises(ImproperlyConfigured, match=r"SingleObjectMixin\.get_queryset runs before"):
        MisorderedDetail.as_view()(_request(world.users[Role.OWNER]), pk=theirs.pk)
