"""Dashboard pages of alert destinations: list and add, one destination (with its last failure),
test, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import DetailView, ListView, View
from django.views.generic.detail import SingleObjectMixin

from alerts import actions
from alerts.delivery import WebhookTargetRefused
from alerts.forms import DestinationForm
from alerts.models import AlertDestination
from tenants.choices import Role
from tenants.requests import MemberHttpRequest
from tenants.views import DashboardMixin


class AlertsMixin(DashboardMixin):
    """Alert destinations are seen by every member and changed by admins."""

    model = AlertDestination
    nav_section = "alerts"
    write_role = Role.ADMIN


class DestinationListView(AlertsMixin, ListView):  # type: ignore[misc]  # stubs: ListView's model is Optional
    template_name = "alerts/destination_list.html"
    context_object_name = "destinations"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", DestinationForm())
        return context

    def post(self, request: MemberHttpRequest) -> HttpResponse:
        form = DestinationForm(request.POST)
        if form.is_valid():
            try:
                destination, secret = actions.create_destination(
                    request.tenant,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    target=form.cleaned_data["target"],
                    events=form.cleaned_data["events"],
                    actor=self.actor,
                )
            except IntegrityError:
                form.add_error("name", "A destination of that name exists already.")
            except WebhookTargetRefused as error:
                form.add_error("target", str(error))
            else:
                # The signing secret is shown on this one answer only (it is stored encrypted).
                return render(
                    request,
                    "alerts/destination_detail.html",
                    {**self._page_context(), "destination": destination, "signing_secret": secret},
                )
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))

    def _page_context(self) -> dict[str, Any]:
        return {"nav_section": self.nav_section, "can_write": self.can(self.write_role)}


class DestinationDetailView(AlertsMixin, DetailView):
    template_name = "alerts/destination_detail.html"
    context_object_name = "destination"


class DestinationTestView(AlertsMixin, SingleObjectMixin, View):
    """The "send test alert" button."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        destination = self.get_object()
        actions.send_test_alert(destination, actor=self.actor)
        messages.success(request, f"A test alert is on its way to {destination.name}.")
        return redirect("alerts:destination-detail", pk=destination.pk)


class DestinationDeleteView(AlertsMixin, SingleObjectMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        destination = self.get_object()
        actions.delete_destination(destination, actor=self.actor)
        messages.success(request, f"Alerts no longer go to {destination.name}.")
        return redirect("alerts:destination-list")
