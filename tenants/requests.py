"""What Patchbay adds to a request, for type checking: the request classes that views annotate with.

TenantMiddleware (session users) and TokenAuthentication (API tokens) set `tenant` and `membership` on
every Django request (a DRF `Request` hands unknown attributes on to its Django request). `tenant` is None
for a request with no tenant (anonymous, or a user in none), which `for_tenant()` turns into no rows;
`membership` is None for an API token too (a token is no member).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from tenants.models import Membership, Tenant


class TenantHttpRequest(HttpRequest):
    """A Django request after TenantMiddleware."""

    tenant: Tenant | None
    membership: Membership | None


class MemberHttpRequest(TenantHttpRequest):
    """A dashboard view's request after TenantScopedMixin.dispatch(): a member's, so both are set."""

    tenant: Tenant
    membership: Membership
