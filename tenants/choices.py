"""Fixed value sets of tenancy: membership roles and audit actions."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    """A member's (or token's) role in a tenant, from most to least powerful."""

    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    OPERATOR = "operator", "Operator"
    VIEWER = "viewer", "Viewer"

    @classmethod
    def rank(cls, role: str) -> int:
        """Higher is more powerful: viewer 0, operator 1, admin 2, owner 3."""
        return _RANKS[cls(role)]

    @classmethod
    def covers(cls, held: str | None, required: str) -> bool:
        """True when a principal holding `held` may do what needs `required`."""
        return held is not None and cls.rank(held) >= cls.rank(required)


_RANKS = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2, Role.OWNER: 3}


class AuditAction(models.TextChoices):
    """What an audit event records; later features add their own values here."""

    TENANT_CREATED = "tenant.created", "Tenant created"
    MEMBER_ADDED = "member.added", "Member added"
    MEMBER_ROLE_CHANGED = "member.role_changed", "Member role changed"
    MEMBER_REMOVED = "member.removed", "Member removed"
    TOKEN_CREATED = "token.created", "API token created"
    TOKEN_REVOKED = "token.revoked", "API token revoked"
    TOKEN_ROLE_CAPPED = "token.role_capped", "API token capped to its creator's role"
    MEMBER_INVITED = "member.invited", "Member invited"
    INVITATION_REVOKED = "member.invitation_revoked", "Invitation revoked"
    INVITATION_ACCEPTED = "member.invitation_accepted", "Invitation accepted"
    ACCOUNT_CREATED = "account.created", "Provider account created"
    ACCOUNT_UPDATED = "account.updated", "Provider account updated"
    ACCOUNT_DELETED = "account.deleted", "Provider account deleted"
    INTEGRATION_CREATED = "integration.created", "Integration created"
    INTEGRATION_UPDATED = "integration.updated", "Integration updated"
    INTEGRATION_DELETED = "integration.deleted", "Integration deleted"
    INTEGRATION_PLANNED = "integration.planned", "Integration planned"
    INTEGRATION_APPLY_REQUESTED = "integration.apply_requested", "Apply requested"
    INTEGRATION_RECONCILE_REQUESTED = "integration.reconcile_requested", "Reconcile requested"
    INTEGRATION_TEARDOWN_REQUESTED = "integration.teardown_requested", "Teardown requested"
