"""Delete = tear down: the confirmation lists what will be destroyed and asks for the name typed.

A teardown run deletes every resource (dependents first), then the integration row
(integrations/engine/runs.py); the run page then offers a way back, not a link to a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from rest_framework.exceptions import APIException

from integrations import actions
from integrations.models import Integration
from integrations.models.engine import NodeStatus, RunKind
from integrations.resources import get_resource_type
from integrations.views.base import DeleteView, saved_url
from integrations.views.engine import error_text, resource_rows, run_url


class IntegrationTeardownView(DeleteView):
    """Delete = tear down: confirm first, then a teardown run deletes every resource, then the row.

    The confirmation lists every vendor object that will be destroyed and asks for the
    integration's name to be typed: a teardown cannot be undone, and a wrong tab is easy to be on.
    """

    model = Integration
    template_name = "integrations/teardown_confirm.html"
    nav_section = "integrations"
    section_title = "Integrations"
    list_url_name = "integrations:integration-list"
    consequence = (
        "Every vendor object Patchbay provisioned for {obj} is torn down (dependents first); "
        "the integration is removed once all of them are gone. Calls through it stop working."
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["doomed"] = doomed_resources(self.object)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = integration = self.get_object()
        typed = request.POST.get("confirm_name", "").strip()
        if typed != integration.name:
            error = (
                "Type the integration's name to confirm."
                if not typed
                else f"“{typed}” is not this integration's name ({integration.name}); nothing was torn down."
            )
            return self.render_to_response(
                self.get_context_data(
                    object=integration,
                    section_title=self.section_title,
                    cancel_url=saved_url(integration),
                    consequence=self.consequence.format(obj=integration),
                    confirm_error=error,
                    typed=typed,
                ),
                status=400,
            )
        try:
            run = actions.request_teardown(integration, actor=self.actor)
        except APIException as error:
            messages.error(request, error_text(error.detail))
            return redirect("integrations:integration-detail", pk=integration.pk)
        if run.kind != RunKind.TEARDOWN:
            messages.info(request, f"A {run.kind} run is under way; tear down again once it has finished.")
        else:
            messages.success(
                request, f"Tearing down {integration}: it is removed once every resource is gone."
            )
        return redirect(run_url(run))


def doomed_resources(integration: Integration) -> list[dict[str, Any]]:
    """What a teardown destroys: every node that has (or may have) a vendor object, dependents first."""
    rows = [
        row
        for row in resource_rows(integration)
        if (row["status"] not in (NodeStatus.PENDING, NodeStatus.DELETED) or row["external_id"])
        and not _observe_only(row["type"])
    ]
    return list(reversed(rows))


def _observe_only(type_name: str) -> bool:
    """Nodes that only read a vendor object the customer owns (teardown leaves it alone)."""
    try:
        return bool(get_resource_type(type_name).observe_only)
    except LookupError:
        return False
