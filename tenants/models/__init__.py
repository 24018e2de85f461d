"""Tenancy models: tenants, memberships, API tokens, the audit log and idempotency records."""

from tenants.models.audit import AuditEvent
from tenants.models.idempotency import IdempotencyRecord
from tenants.models.invitations import Invitation
from tenants.models.tenancy import Membership, Tenant
from tenants.models.tokens import ApiToken
from tenants.querysets import TenantScopedQuerySet

__all__ = [
    "ApiToken",
    "AuditEvent",
    "IdempotencyRecord",
    "Invitation",
    "Membership",
    "Tenant",
    "TenantScopedQuerySet",
]
