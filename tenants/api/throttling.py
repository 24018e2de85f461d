"""API rate limits: each token (or dashboard user) gets its own budget, kept in the shared cache."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from tenants.models import ApiToken


class PrincipalRateThrottle(SimpleRateThrottle):
    """`API_THROTTLE_RATE` requests per token, or per session user; 429 with `Retry-After` beyond it.

    Requests with neither are not counted here: they are refused (401/403) before any work,
    and the vendor webhooks that carry no principal must never be throttled by address.
    """

    scope = "principal"

    def get_rate(self) -> str | None:
        # Read now, not at import (DRF's class attribute), so that settings overrides apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            ident = f"token:{token.pk}"
        elif request.user is not None and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}
