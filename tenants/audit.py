"""Who does a change (`Actor`) and how actions write the audit event for it (`record_audit`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

from tenants.choices import Role
from tenants.models import ApiToken, AuditEvent, Tenant

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

MASK = "********"
# Keys whose values are never written to the audit log, wherever they appear in a diff.
SECRET_KEYS = frozenset(
    {"secrets", "api_key", "auth_token", "client_secret", "password", "key", "key_hash", "sip_password"}
)


@dataclass(frozen=True)
class Actor:
    """The principal behind a change: a user, an API token (with its creator), or the system."""

    user: User | None = None
    token: ApiToken | None = None
    ip: str | None = None
    #: the role the change is made with (a token's own role, or the user's membership role)
    role: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        """The actor of a dashboard or API request (after authentication)."""
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            token = None
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        if token is not None:
            role: str | None = token.effective_role
        else:
            membership = getattr(request, "membership", None)
            role = membership.role if membership is not None else None
        return cls(user=user, token=token, ip=request.META.get("REMOTE_ADDR") or None, role=role)

    @classmethod
    def system(cls) -> Actor:
        """Management commands and background jobs: full power, no user."""
        return cls(role=Role.OWNER)

    @property
    def label(self) -> str:
        """Human-readable actor for the audit log."""
        parts = []
        if self.user is not None:
            parts.append(getattr(self.user, "email", "") or self.user.get_username())
        if self.token is not None:
            parts.append(f"token {self.token.name} ({self.token.prefix}…)")
        return " via ".join(parts) if parts else "system"

    def principal_key(self) -> str:
        """Stable id of the principal, e.g. for idempotency keys: `token:<id>` or `user:<id>`."""
        if self.token is not None:
            return f"token:{self.token.pk}"
        if self.user is not None:
            return f"user:{self.user.pk}"
        return "system"


def mask_secrets(value: Any, key: str | None = None) -> Any:
    """`value` with everything under a secret-looking key replaced by the mask."""
    if key is not None and key.split(".")[-1] in SECRET_KEYS:
        return _mask_all(value)
    if isinstance(value, Mapping):
        return {k: mask_secrets(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_secrets(item) for item in value]
    return value


def _mask_all(value: Any) -> Any:
    """Every leaf of `value` masked; None stays None so "was unset" still shows."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {k: _mask_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_all(item) for item in value]
    return MASK


def diff_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for every field whose value differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def record_audit(
    actor: Actor,
    action: str,
    obj: models.Model,
    *,
    diff: Mapping[str, Any] | None = None,
    tenant: Tenant | None = None,
) -> AuditEvent:
    """Write one audit event for a change to `obj`; call it inside the action's transaction."""
    if tenant is None:
        tenant = obj if isinstance(obj, Tenant) else obj.tenant  # type: ignore[attr-defined]
    masked = {name: mask_secrets(change, name) for name, change in (diff or {}).items()}
    return AuditEvent.objects.create(
        tenant=tenant,
        actor_user=actor.user,
        actor_token=actor.token,
        actor_label=actor.label[:200],
        action=str(action),
        object_type=str(getattr(obj, "audit_type", obj._meta.model_name)),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        diff=masked,
        source_ip=actor.ip,
    )
