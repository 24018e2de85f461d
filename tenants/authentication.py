"""`Authorization: Token <key>` for the API: the token decides the tenant and the role."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from tenants.models import ApiToken, Membership
from tenants.models.tokens import hash_key

if TYPE_CHECKING:
    from tenants.requests import TenantHttpRequest

KEYWORD = "Token"
# last_used_at is for humans ("used 3 minutes ago"): writing it on every request
# would turn each API read into a write, so once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TenantTokenAuthentication(BaseAuthentication):
    """Authenticates API tokens; sets `request.tenant` to the token's tenant."""

    def authenticate(self, request: Request) -> tuple[object, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(
                "Invalid token header: use 'Authorization: Token <key>'.", code="invalid_token"
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed("Invalid token.", code="invalid_token") from exc
        # The creator's role now, in the same query: a token never acts above it (issue 13, item 5).
        creator_role = Membership.objects.filter(tenant=OuterRef("tenant"), user=OuterRef("created_by"))
        token = (
            ApiToken.objects.select_related("tenant", "created_by")
            .annotate(creator_role=Subquery(creator_role.values("role")[:1]))
            .filter(key_hash=hash_key(key))
            .first()
        )
        if token is None:
            raise AuthenticationFailed("Invalid token.", code="invalid_token")
        now = timezone.now()
        if token.revoked_at is not None:
            raise AuthenticationFailed("This token has been revoked.", code="token_revoked")
        if token.is_expired(now):
            raise AuthenticationFailed("This token has expired.", code="token_expired")
        if token.creator_role is None:
            # Removing a member revokes their tokens; this also covers a deleted user.
            raise AuthenticationFailed(
                "This token's creator is no longer a member of the tenant.", code="token_creator_gone"
            )
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        django_request = cast("TenantHttpRequest", request._request)
        django_request.tenant = token.tenant
        django_request.membership = None
        user = token.created_by if token.created_by is not None else AnonymousUser()
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
