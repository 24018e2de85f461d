"""The one tenant-scoped path to tenant-owned rows (DESIGN §3)."""

from __future__ import annotations

from typing import Self

from django.db import models


class TenantScopedQuerySet(models.QuerySet):
    """Queryset of every tenant-owned model: `for_tenant` is how views and viewsets reach rows."""

    def for_tenant(self, tenant: models.Model | None) -> Self:
        """Only the rows of `tenant` (a `tenants.models.Tenant`); nothing at all without a tenant.

        Typed as a model: this module is below `tenants.models`, which builds on it."""
        if tenant is None:
            return self.none()
        return self.filter(tenant=tenant)
