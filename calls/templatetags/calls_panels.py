"""`{% recent_calls integration %}`: the integration page's panel of recent calls, the latest drawn as a
ladder, each linking to its own ladder page (templates/calls/recent_calls.html)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count

from calls.ladder import ladder_context
from calls.models import SipCall
from calls.views import FETCHABLE_KINDS, ordered_messages

register = template.Library()

RECENT_CALLS_SHOWN = 10


@register.inclusion_tag("calls/recent_calls.html", takes_context=True)
def recent_calls(context: template.Context, integration: Any) -> dict[str, Any]:
    """Recent calls of `integration` (already scoped to the tenant by the page that shows it)."""
    calls = list(
        SipCall.objects.filter(tenant_id=integration.tenant_id, integration=integration)
        .annotate(message_count=Count("messages"))
        .order_by("-started_at", "-id")[:RECENT_CALLS_SHOWN]
    )
    latest = None
    if calls:
        latest_call = SipCall.objects.prefetch_related(ordered_messages()).get(pk=calls[0].pk)
        latest = ladder_context(latest_call)
    return {
        "integration": integration,
        "calls": calls,
        "latest": latest,
        "can_fetch": integration.kind in FETCHABLE_KINDS,
        "can_operate": context.get("can_operate", False),
    }
