"""Dashboard action of diagnostics: run the checks now, then show the integration page's panel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic.detail import SingleObjectMixin

from integrations.diagnostics.actions import run_diagnostics_now
from integrations.models import Integration
from tenants.choices import Role
from tenants.views import DashboardMixin


class RunDiagnosticsView(DashboardMixin, SingleObjectMixin, View):
    """POST: run the integration's checks now; back to its page, at the diagnostics panel."""

    model = Integration
    read_role = Role.OPERATOR
    write_role = Role.OPERATOR
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        integration = self.get_object()
        report = run_diagnostics_now(integration, actor=self.actor)
        count = len(report.problems)
        if count:
            messages.warning(request, f"Diagnostics found {count} problem{'s' if count > 1 else ''}.")
        else:
            messages.success(request, "Diagnostics found no problem.")
        return redirect(
            reverse("integrations:integration-detail", kwargs={"pk": integration.pk}) + "#diagnostics"
        )
