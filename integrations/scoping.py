"""`IntegrationChildMixin`: the one lookup of the parent integration of an `integrations/<integration_id>/...`
route, for API viewsets and dashboard views alike."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from integrations.models import Integration


class IntegrationChildMixin:
    """The route's integration, found among the tenant's own (`scoped()` of the scoping base), is
    `self.integration`: another tenant's integration is a 404. `get_queryset()` is narrowed to it.

    Mixed into a `TenantScopedViewSet` / `TenantScopedReadOnlyViewSet`, list it first: DRF views look
    the integration up in `initial()`, after authentication and role checks, before any handler.
    Mixed into a dashboard view, list it after `DashboardMixin` (whose `TenantScopedMixin` must come
    first in the bases: `tenants.mixins.scoping_bypass`).
    """

    @cached_property
    def integration(self) -> Integration:
        scoped = self.scoped(Integration)  # type: ignore[attr-defined]
        return get_object_or_404(scoped, pk=self.kwargs["integration_id"])  # type: ignore[attr-defined]

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.integration  # noqa: B018 - a 404 before the handler runs, whatever the method

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().filter(integration=self.integration)  # type: ignore[misc]
