"""Dashboard pages for integrations: list, kind chooser, per-kind create/edit, detail, delete.

Rows are reached only through `TenantScopedMixin.get_queryset()` / `get_object()`,
and every change goes through `integrations.actions` (which validates and audits).
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from calls.models import SipCall
from calls.probes import probe_panel_context
from integrations import actions
from integrations.choices import AccountKind, IntegrationKind
from integrations.forms import IntegrationForm
from integrations.health import health_for, health_for_many, open_problems
from integrations.kinds import get_kind
from integrations.models import ACCOUNT_FIELDS, Integration, ProviderAccount
from integrations.models.engine import Run
from integrations.tables import condition_badges, run_colour
from integrations.views.base import KindFormView, saved_url
from integrations.views.engine import engine_context
from tenants.choices import Role
from tenants.requests import MemberHttpRequest
from tenants.views import DashboardMixin

#: the integration page's tabs: (anchor, label); the first is shown when the URL names none
TABS = [
    ("overview", "Overview"),
    ("resources", "Resources"),
    ("calls", "Calls"),
    ("probes", "Probes"),
    ("diagnostics", "Diagnostics"),
    ("runs", "Runs"),
]
#: probe results shown in the Probes tab (the probes page has the full history)
PROBE_HISTORY_SHOWN = 10


class IntegrationListView(DashboardMixin, ListView):
    """Integrations with their kind, accounts, condition badges and latest run."""

    request: MemberHttpRequest
    model = Integration
    template_name = "integrations/integration_list.html"
    nav_section = "integrations"

    def get_queryset(self) -> QuerySet[Integration]:
        latest = Run.objects.filter(integration=OuterRef("pk")).order_by("-created_at")
        return (
            super()
            .get_queryset()
            .select_related(*ACCOUNT_FIELDS.values())
            .annotate(
                latest_run_kind=Subquery(latest.values("kind")[:1]),
                latest_run_state=Subquery(latest.values("state")[:1]),
                latest_run_at=Subquery(latest.values("created_at")[:1]),
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = []
        health = health_for_many(context["object_list"])
        for integration in context["object_list"]:
            accounts = [integration.account(kind) for kind in get_kind(integration.kind).required_accounts]
            rows.append(
                {
                    "integration": integration,
                    "health": health[integration.pk],
                    "accounts": [account for account in accounts if account is not None],
                    "conditions": condition_badges(integration.conditions),
                    "run_colour": run_colour(integration.latest_run_state),
                }
            )
        context["rows"] = rows
        context["has_accounts"] = self.scoped(ProviderAccount).exists()
        return context


class IntegrationChooseKindView(DashboardMixin, TemplateView):
    """ "New integration": pick one of the four kinds."""

    template_name = "integrations/choose_kind.html"
    read_role = Role.OPERATOR
    nav_section = "integrations"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title="New integration",
            section_url=reverse("integrations:integration-list"),
            section_title="Integrations",
            choices=[
                {
                    "url": f"{reverse('integrations:integration-new')}?kind={kind}",
                    "label": label,
                    "text": get_kind(kind).PATH,
                    "needs": ", ".join(AccountKind(k).label for k in get_kind(kind).required_accounts),
                }
                for kind, label in IntegrationKind.choices
            ],
        )
        return context


class IntegrationFormMixin(KindFormView):
    """Shared by create and edit: the integration form with the tenant's accounts to choose from."""

    request: MemberHttpRequest
    nav_section = "integrations"

    def accounts(self) -> QuerySet[ProviderAccount]:
        """The tenant's provider accounts, to choose from."""
        return self.scoped(ProviderAccount).order_by("name")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context.update(
            kind_label=form.kind.label,
            section_url=reverse("integrations:integration-list"),
            section_title="Integrations",
            missing_accounts=form.missing_account_kinds(),
        )
        return context


class IntegrationCreateView(IntegrationFormMixin):
    """Create an integration of the `?kind=` in the URL (without one: the kind chooser)."""

    chooser = IntegrationChooseKindView

    success_message = "Integration {obj.name} created. Nothing is provisioned until it is applied."

    def build_form(self, data: Any = None) -> IntegrationForm:
        kind = self.requested_kind(IntegrationKind)
        return IntegrationForm(data, kind=kind, accounts=self.accounts())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=f"New {context['kind_label']} integration", submit_label="Create integration")
        return context

    def save(self, form: IntegrationForm) -> Integration:
        return actions.create_integration(
            self.request.tenant,
            name=(form.cleaned_data.get("name") or "").strip(),
            kind=form.kind,
            accounts=form.accounts_data(),
            config=form.config_data,
            policy=form.cleaned_data.get("policy") or "heal",
            actor=self.actor,
        )


class IntegrationEditView(IntegrationFormMixin, SingleObjectMixin):
    """Edit an integration's policy, accounts and config (its name and kind are fixed)."""

    model = Integration
    success_message = "Integration {obj.name} saved."

    def build_form(self, data: Any = None) -> IntegrationForm:
        self.object = self.get_object()
        return IntegrationForm(data, kind=self.object.kind, accounts=self.accounts(), integration=self.object)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"Edit {self.object.name}", submit_label="Save changes", cancel_url=saved_url(self.object)
        )
        return context

    def save(self, form: IntegrationForm) -> Integration:
        return actions.update_integration(
            self.object,
            accounts=form.accounts_data(),
            config=form.config_data,
            policy=form.cleaned_data.get("policy") or self.object.policy,
            actor=self.actor,
        )


class IntegrationDetailView(DashboardMixin, DetailView):
    """An integration: config, accounts, conditions (and, from the engine, plan/apply/resources/runs)."""

    model = Integration
    template_name = "integrations/integration_detail.html"
    nav_section = "integrations"

    def get_queryset(self) -> QuerySet[Integration]:
        return super().get_queryset().select_related(*ACCOUNT_FIELDS.values())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        integration = self.object
        context.update(
            accounts=[
                (AccountKind(kind).label, integration.account(kind))
                for kind in get_kind(integration.kind).required_accounts
            ],
            conditions=condition_badges(integration.conditions),
            config_json=json.dumps(integration.config, indent=2, sort_keys=True),
            kind_path=get_kind(integration.kind).PATH,
            health=health_for(integration),
            last_call=SipCall.objects.filter(integration=integration).order_by("-started_at", "-id").first(),
            problems=open_problems(integration),
            probes=probe_panel_context(integration, history=PROBE_HISTORY_SHOWN),
            tabs=TABS,
        )
        context.update(engine_context(integration))  # the provisioning region (_engine.html)
        return context


# Deleting an integration tears it down first: IntegrationTeardownView in integrations/views/teardown.py.
