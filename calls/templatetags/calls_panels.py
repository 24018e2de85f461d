"""`{% recent_calls integration %}`: the integration page's panel of recent calls, the latest drawn as a
ladder, each linking to its own ladder page (templates/calls/recent_calls.html)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django import template
from django.db.models import Count

from calls.ladder import ladder_context
from calls.lanes import lane_role
from calls.models import SipCall
from calls.views import FETCHABLE_KINDS, ordered_messages

if TYPE_CHECKING:
    from integrations.models import Integration

register = template.Library()

RECENT_CALLS_SHOWN = 10


@register.inclusion_tag("calls/recent_calls.html", takes_context=True)
def recent_calls(context: template.Context, integration: Integration) -> dict[str, Any]:
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


@register.filter
def far_end_role(call: SipCall) -> str:
    """The call's far end in words ("Vapi"), or "" when its address says nothing more known."""
    hosts = call.hosts or []
    aliases = next((str(h.get("aliases") or "") for h in hosts if h.get("name") == call.far_end), "")
    role = lane_role(call.far_end, aliases)
    return role if role != call.far_end else ""


@register.filter
def seconds(value: timedelta | None) -> str:
    """A duration as support staff read it: "850 ms", "12.4 s", "3 min 05 s"."""
    if not isinstance(value, timedelta):
        return "—"
    total = value.total_seconds()
    if total < 1:
        return f"{total * 1000:.0f} ms"
    if total < 60:
        return f"{total:.1f} s"
    minutes, rest = divmod(round(total), 60)
    return f"{minutes} min {rest:02d} s"
