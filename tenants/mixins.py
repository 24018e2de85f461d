"""Base for dashboard class-based views of tenant-owned rows: the only place they are scoped."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase

from tenants.audit import Actor
from tenants.choices import Role

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@functools.cache
def scoping_bypass(view_class: type) -> type | None:
    """The first base of `view_class` whose `get_queryset` would run before TenantScopedMixin's, if any."""
    for base in view_class.__mro__:
        if base is TenantScopedMixin:
            return None
        if "get_queryset" in vars(base) and not issubclass(base, TenantScopedMixin):
            return base
    return None


class TenantScopedMixin(LoginRequiredMixin):
    """Login, role check (`read_role` / `write_role`), and `get_queryset()` narrowed to the tenant.

    Another tenant's object is then a 404 (never a 403 that confirms it exists).
    Views reach rows through `self.get_queryset()` / `self.get_object()`, and other rows of the
    tenant (a parent, a choice list, a count) through `self.scoped(Model)`: never `Model.objects`.
    """

    read_role: str = Role.VIEWER
    write_role: str = Role.OPERATOR

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        bypass = scoping_bypass(type(self))  # type: ignore[arg-type]  # mypy: a class is not Hashable
        if bypass is not None:
            # Fail closed: a base listed before this mixin would serve every tenant's rows.
            raise ImproperlyConfigured(
                f"{type(self).__name__}: {bypass.__name__}.get_queryset runs before TenantScopedMixin's, "
                "so rows would not be scoped to the tenant; list TenantScopedMixin (or a view base built "
                f"on it) before {bypass.__name__} in the class bases."
            )
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = getattr(request, "membership", None)
        if membership is None:
            raise Http404("You are not a member of any tenant.")
        needed = self.read_role if request.method in SAFE_METHODS else self.write_role
        if not Role.covers(membership.role, needed):
            raise PermissionDenied(f"This needs the {needed} role; you have {membership.role}.")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().for_tenant(self.request.tenant)  # type: ignore[misc, attr-defined]

    def scoped(self, model: type[Model]) -> QuerySet:
        """Every row of `model` that belongs to the request's tenant."""
        return model.objects.for_tenant(self.request.tenant)  # type: ignore[attr-defined]

    @property
    def actor(self) -> Actor:
        """Who is making the change, for actions."""
        return Actor.from_request(self.request)  # type: ignore[attr-defined]


class DashboardMixin(TenantScopedMixin):
    """Tenant scoping and role checks (TenantScopedMixin) plus what every dashboard page shows."""

    nav_section = ""

    def can(self, role: str) -> bool:
        """Whether the current member holds at least `role`."""
        membership = getattr(self.request, "membership", None)  # type: ignore[attr-defined]
        return membership is not None and Role.covers(membership.role, role)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.update(
            nav_section=self.nav_section,
            can_write=self.can(self.write_role),
            can_operate=self.can(Role.OPERATOR),
            can_admin=self.can(Role.ADMIN),
        )
        return context
