"""Dashboard pages of the provisioning engine: plan, apply, reconcile, teardown, runs, contact flow.

Every page reaches rows through `TenantScopedMixin.get_queryset()` / `get_object()`
(another tenant's integration or run is a 404), and every change goes through
`integrations.actions` (which validates, audits and queues the run). Viewers read;
operators and above plan, apply, reconcile and tear down.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView
from django.views.generic.detail import SingleObjectMixin
from rest_framework.exceptions import APIException

from integrations import actions
from integrations.engine.planner import PlanAction
from integrations.kinds import KINDS, get_kind
from integrations.models import Integration
from integrations.models.engine import ResourceNode, Run, RunKind, RunState
from integrations.outputs import public_output_values
from integrations.tables import run_colour
from integrations.views.contact_flow import contact_flow_for
from integrations.views.run_nodes import node_progress, run_nodes
from tenants.choices import Role
from tenants.views import DashboardMixin

#: integration kinds whose blueprint ends in an Amazon Connect contact flow (downloadable)
#: events the run page shows at first; the rest arrive through the JSON endpoint
EVENTS_PER_PAGE = 500
ACTION_COLOURS = {
    PlanAction.CREATE: "green",
    PlanAction.UPDATE: "amber",
    PlanAction.DELETE: "red",
    PlanAction.NOOP: "grey",
    PlanAction.UNKNOWN: "amber",
}
NODE_COLOURS = {
    "ready": "green",
    "creating": "amber",
    "deleting": "amber",
    "drifted": "amber",
    "failed": "red",
    "deleted": "grey",
    "pending": "grey",
}


def node_titles(kind: str) -> dict[str, str]:
    """Node name → the human title its blueprint gives it."""
    blueprint = KINDS[kind].BLUEPRINT if kind in KINDS else None
    return {node.name: node.title for node in blueprint.nodes} if blueprint else {}


def public_outputs(row: ResourceNode) -> list[tuple[str, str]]:
    """A node's outputs as `(key, text)` lines: a sealed value reads "sealed", other secrets are masked."""
    return [(key, value_text(value)) for key, value in public_output_values(row.type, row.outputs).items()]


def value_text(value: Any) -> str:
    """A spec or output value as one line of text (JSON for anything structured)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def resource_rows(integration: Integration) -> list[dict[str, Any]]:
    """Every node of the integration's blueprint in creation order, with what its row records."""
    blueprint = KINDS[integration.kind].BLUEPRINT if integration.kind in KINDS else None
    rows = {row.node: row for row in ResourceNode.objects.filter(integration=integration)}
    order = blueprint.order() if blueprint else []
    names = order + sorted(set(rows) - set(order))  # rows of nodes the blueprint no longer has
    titles = node_titles(integration.kind)
    table = []
    for name in names:
        row = rows.get(name)
        status = row.status if row else "pending"
        table.append(
            {
                "node": name,
                "title": titles.get(name, ""),
                "type": row.type if row else blueprint.by_name[name].type,  # type: ignore[union-attr]
                "status": status,
                "colour": NODE_COLOURS.get(status, "grey"),
                "external_id": row.external_id if row else "",
                "outputs": public_outputs(row) if row else [],
                "message": row.message if row else "",
                "last_observed_at": row.last_observed_at if row else None,
            }
        )
    return table


def engine_context(integration: Integration) -> dict[str, Any]:
    """What the integration page's provisioning region shows (templates/integrations/_engine.html)."""
    runs = list(Run.objects.filter(integration=integration).order_by("-created_at", "-id")[:5])
    active = next((run for run in runs if run.is_active), None)
    flow_ready = False
    if get_kind(integration.kind).CONTACT_FLOW:
        flow_ready = contact_flow_for(integration) is not None
    return {
        "deleting": bool(getattr(integration, "deleting", False)),
        "resources": resource_rows(integration),
        "recent_runs": [(run, run_colour(run.state)) for run in runs],
        "latest_run": runs[0] if runs else None,
        "latest_run_colour": run_colour(runs[0].state) if runs else "grey",
        "active_run": active,
        "has_contact_flow": get_kind(integration.kind).CONTACT_FLOW,
        "contact_flow_ready": flow_ready,
    }


def run_url(run: Run) -> str:
    return reverse("integrations:run-detail", kwargs={"pk": run.pk})


# --- actions (POST only) ----------------------------------------------------------


class IntegrationActionView(DashboardMixin, SingleObjectMixin, View):
    """POST: call one engine action on the integration, then go where its result is shown."""

    model = Integration
    read_role = Role.OPERATOR
    write_role = Role.OPERATOR

    def perform(self, integration: Integration) -> str:
        """Call the action; return the URL to go to."""
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        integration = self.get_object()
        back = reverse("integrations:integration-detail", kwargs={"pk": integration.pk})
        try:
            return redirect(self.perform(integration))
        except APIException as error:
            messages.error(request, error_text(error.detail))
            return redirect(back)


def error_text(detail: Any) -> str:
    """A DRF error detail (string, list or dict) as one sentence for a message banner."""
    if isinstance(detail, dict):
        return " ".join(error_text(value) for value in detail.values())
    if isinstance(detail, list):
        return " ".join(error_text(value) for value in detail)
    return str(detail)


class IntegrationPlanView(IntegrationActionView):
    """Compute the plan now (vendors are only read) and show it as a diff."""

    def perform(self, integration: Integration) -> str:
        run, _ = actions.plan_integration(integration, actor=self.actor)
        return reverse("integrations:run-plan", kwargs={"pk": run.pk})


class IntegrationApplyView(IntegrationActionView):
    """Queue an apply (or join the queued/running run) and watch it."""

    def perform(self, integration: Integration) -> str:
        run = actions.apply_integration(integration, actor=self.actor)
        if run.kind != RunKind.APPLY:
            messages.info(self.request, f"A {run.kind} run is already under way; it is shown instead.")
        return run_url(run)


class IntegrationReconcileView(IntegrationActionView):
    """Queue a reconcile now and watch it."""

    def perform(self, integration: Integration) -> str:
        run = actions.reconcile_integration(integration, actor=self.actor)
        if run.kind != RunKind.RECONCILE:
            messages.info(self.request, f"A {run.kind} run is already under way; it is shown instead.")
        return run_url(run)


# --- runs ----------------------------------------------------------------------------


def event_json(event: Any, titles: dict[str, str]) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": event.at.isoformat(),
        "node": event.node,
        "title": titles.get(event.node, ""),
        "action": event.action,
        "outcome": event.outcome,
        "duration_ms": event.duration_ms,
        "request_id": event.request_id,
        "message": event.message,
    }


def shown_progress(run: Run, nodes: list[dict[str, Any]]) -> int:
    """The bar's percentage: finished nodes (done, failed or skipped) of all, once nodes are known."""
    if not nodes or run.state == RunState.SUCCEEDED:
        return run.progress
    counts = node_progress(nodes)
    # The engine's own count takes only nodes done; failed and skipped ones are finished too.
    percent = max(run.progress, int(counts["finished"] * 100 / counts["total"]))
    return min(percent, 99) if run.is_active else percent


def run_json(run: Run, after: int = 0) -> dict[str, Any]:
    """A run's state, progress and message, with its events after event id `after`."""
    kind = run.integration.kind if run.integration_id and run.integration else ""
    titles = node_titles(kind)
    events = run.events.filter(id__gt=after).order_by("at", "id")[:EVENTS_PER_PAGE]
    nodes = run_nodes(run)
    return {
        "id": run.pk,
        "kind": run.kind,
        "state": run.state,
        "state_colour": run_colour(run.state),
        "finished": not run.is_active,
        "progress": shown_progress(run, nodes),
        "message": run.message,
        "integration": str(run.integration_id) if run.integration_id else None,
        "integration_url": (
            reverse("integrations:integration-detail", kwargs={"pk": run.integration_id})
            if run.integration_id
            else None
        ),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "events": [event_json(event, titles) for event in events],
        "nodes": nodes,
        "node_progress": node_progress(nodes),
    }


class RunDetailView(DashboardMixin, DetailView):
    """A run: live progress bar and event list while it runs (polled once a second), then its result."""

    model = Run
    template_name = "integrations/run_detail.html"
    context_object_name = "run"
    nav_section = "integrations"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("integration", "requested_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run: Run = self.object
        data = run_json(run)
        integration = run.integration
        context.update(
            run_data=data,
            progress=data["progress"],
            nodes=data["nodes"],
            node_progress=data["node_progress"],
            events=data["events"],
            state_colour=data["state_colour"],
            status_url=reverse("integrations:run-status", kwargs={"pk": run.pk}),
            integration=integration,
            contact_flow=bool(
                integration is not None
                and get_kind(integration.kind).CONTACT_FLOW
                and run.kind == RunKind.APPLY
                and run.state == RunState.SUCCEEDED
            ),
            list_url=reverse("integrations:integration-list"),
        )
        return context


class RunStatusView(DashboardMixin, SingleObjectMixin, View):
    """GET: the run as JSON for the run page's poller (`?after=<event id>` for new events only)."""

    model = Run

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        run = self.get_object()
        try:
            after = max(0, int(request.GET.get("after", "0")))
        except ValueError:
            after = 0
        response = JsonResponse(run_json(run, after))
        response["Cache-Control"] = "no-store"
        return response


class RunPlanView(DashboardMixin, DetailView):
    """A plan run as a readable diff: create / update (field: old → new) / delete / no-op, and
    unknown (with the error) for a node that could not be observed."""

    model = Run
    template_name = "integrations/plan_detail.html"
    context_object_name = "run"
    nav_section = "integrations"

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(kind=RunKind.PLAN).select_related("integration")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run: Run = self.object
        integration = run.integration
        titles = node_titles(integration.kind) if integration else {}
        actions_ = [plan_row(entry, titles) for entry in (run.plan or {}).get("actions", [])]
        counts = {
            name.replace("-", ""): sum(1 for a in actions_ if a["action"] == name) for name in ACTION_COLOURS
        }
        context.update(
            integration=integration,
            actions=actions_,
            counts=counts,
            changes=counts["create"] + counts["update"] + counts["delete"],
            problems=sorted(((run.plan or {}).get("problems") or {}).items()),
            can_apply=bool(integration is not None and not getattr(integration, "deleting", False)),
        )
        return context


def plan_row(entry: dict[str, Any], titles: dict[str, str]) -> dict[str, Any]:
    """One plan action with its diff as `(field, old, new)` text and its unknown fields."""
    action = entry.get("action", PlanAction.NOOP)
    lines = []
    for field, change in sorted((entry.get("diff") or {}).items()):
        old, new = change if isinstance(change, list | tuple) and len(change) == 2 else (None, change)
        lines.append(
            {
                "field": field,
                "old": None if old is None else value_text(old),
                "new": "—" if new is None else value_text(new),
            }
        )
    return {
        "node": entry.get("node", ""),
        "title": titles.get(entry.get("node", ""), ""),
        "type": entry.get("type", ""),
        "action": action,
        "colour": ACTION_COLOURS.get(action, "grey"),
        "diff": lines,
        "known_after_apply": list(entry.get("known_after_apply") or []),
        "error": entry.get("error", ""),
    }


# --- contact flow ----------------------------------------------------------------------


class ContactFlowView(DashboardMixin, SingleObjectMixin, View):
    """GET: the integration's Amazon Connect contact flow as a JSON download (after apply)."""

    model = Integration

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        integration = self.get_object()
        flow = None
        if get_kind(integration.kind).CONTACT_FLOW:
            flow = contact_flow_for(integration)
        if flow is None:
            raise Http404("This integration has no contact flow yet: apply it first.")
        response = HttpResponse(json.dumps(flow, indent=2), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{integration.name}-contact-flow.json"'
        return response
