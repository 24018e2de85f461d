"""Sets `request.tenant` and `request.membership` for dashboard (session) users."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tenants.actions import current_membership
from tenants.requests import TenantHttpRequest


class TenantMiddleware:
    """The session's current tenant (default: the user's first membership); API tokens override it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: TenantHttpRequest) -> HttpResponse:
        request.tenant = None
        request.membership = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            membership = current_membership(user, request.session)
            if membership is not None:
                request.tenant = membership.tenant
                request.membership = membership
        return self.get_response(request)
