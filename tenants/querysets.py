"""The one tenant-scoped path to tenant-owned rows (DESIGN §3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models

if TYPE_CHECKING:
    from tenants.models import Tenant


class TenantScopedQuerySet(models.QuerySet):
    """Queryset of every tenant-owned model: `for_tenant` is how views and viewsets reach rows."""

    def for_tenant(self, tenant: Tenant | None) -> Self:
        """Only the rows of `tenant`; nothing at all without a tenant."""
        if tenant is None:
            return self.none()
        return self.filter(tenant=tenant)
