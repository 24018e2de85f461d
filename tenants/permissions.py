"""Role checks for the API: each viewset names the role its reads and writes need."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from tenants.choices import Role
from tenants.models import ApiToken


def principal_role(request: Request) -> str | None:
    """The role the request acts with: its token's role, or the session user's membership role."""
    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken):
        return token.effective_role
    membership = getattr(request, "membership", None)
    return membership.role if membership is not None else None


def required_role(view: Any, request: Request) -> str:
    """`view.action_roles[action]`, else `view.read_role` / `view.write_role` by method."""
    action_roles: dict[str, str] = getattr(view, "action_roles", {})
    action = getattr(view, "action", None)
    if action in action_roles:
        return action_roles[action]
    if request.method in SAFE_METHODS:
        return getattr(view, "read_role", Role.VIEWER)
    return getattr(view, "write_role", Role.OPERATOR)


class HasTenantRole(BasePermission):
    """Allows a request whose principal has at least the role the view requires in the current tenant."""

    message = "You do not have permission to perform this action."
    code = "permission_denied"

    def has_permission(self, request: Request, view: Any) -> bool:
        if getattr(request, "tenant", None) is None:
            self.message = "You are not a member of any tenant."
            self.code = "no_tenant"
            return False
        held = principal_role(request)
        needed = required_role(view, request)
        if not Role.covers(held, needed):
            self.message = f"This needs the {needed} role; you have {held or 'no role'}."
            self.code = "role_too_low"
            return False
        return True
