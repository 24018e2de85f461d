"""Template context for the dashboard's tenant switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tenants.models import Membership


def tenant(request: HttpRequest) -> dict[str, Any]:
    """`current_tenant`, `current_membership`, and (lazily) `tenant_memberships` of the user."""
    user = getattr(request, "user", None)

    def memberships() -> list[Membership]:
        if user is None or not user.is_authenticated:
            return []
        return list(Membership.objects.filter(user=user).select_related("tenant").order_by("tenant__name"))

    return {
        "current_tenant": getattr(request, "tenant", None),
        "current_membership": getattr(request, "membership", None),
        "tenant_memberships": SimpleLazyObject(memberships),
    }
