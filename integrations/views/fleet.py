"""The dashboard's front page: the fleet of integrations at a glance.

Counts by health (integrations/health.py), the integrations that need attention
with the reason in words, and the latest failed calls across the tenant.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.views.generic import TemplateView

from calls.models import SipCall
from integrations.health import HEALTH_COLOURS, SEVERITY_ORDER, HealthStatus, health_for_many
from integrations.models import Integration, ProviderAccount
from tenants.mixins import DashboardMixin
from tenants.requests import MemberHttpRequest

#: failed calls shown on the overview (the calls pages have the rest)
FAILED_CALLS_SHOWN = 10


class FleetOverviewView(DashboardMixin, TemplateView):
    """Counts by health, integrations needing attention, recent failed calls."""

    request: MemberHttpRequest
    template_name = "integrations/fleet.html"
    nav_section = "overview"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        integrations = list(self.scoped(Integration).order_by("name"))
        health = health_for_many(integrations)
        rows: list[dict[str, Any]] = [{"integration": i, "health": health[i.pk]} for i in integrations]
        rank = {status: n for n, status in enumerate(SEVERITY_ORDER)}
        attention = sorted(
            (row for row in rows if row["health"].needs_attention),
            key=lambda row: (rank[row["health"].status], row["integration"].name),
        )
        list_url = reverse("integrations:integration-list")
        counts = [
            {
                "status": status,
                "label": HealthStatus(status).label,
                "colour": HEALTH_COLOURS[status],
                "count": sum(1 for row in rows if row["health"].status == status),
            }
            for status in SEVERITY_ORDER
        ]
        failed_calls = list(
            self.scoped(SipCall)
            .filter(integration__isnull=False)
            .filter(Q(final_status__isnull=True) | Q(final_status__gte=300))
            .select_related("integration")
            .order_by("-started_at", "-id")[:FAILED_CALLS_SHOWN]
        )
        context.update(
            total=len(rows),
            counts=counts,
            attention=attention,
            failed_calls=failed_calls,
            list_url=list_url,
            has_accounts=self.scoped(ProviderAccount).exists(),
        )
        return context
