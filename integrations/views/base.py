"""Shared shapes of the integrations app's dashboard pages: per-kind forms, confirm-and-delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView
from django.views.generic.detail import SingleObjectMixin
from rest_framework.exceptions import APIException

from integrations.choices import AccountKind, IntegrationKind
from integrations.forms import SectionedForm
from integrations.models import Integration, ProviderAccount
from tenants.choices import Role
from tenants.forms import show_action_errors
from tenants.views import DashboardMixin


def parse_kind(kind: str, choices: type[IntegrationKind] | type[AccountKind]) -> str:
    """The kind from the URL, or 404."""
    if kind not in choices.values:
        raise Http404("No such kind.")
    return kind


class KindFormView(DashboardMixin, TemplateView):
    """Create or edit one object through a per-kind form and an action; errors go beside fields."""

    template_name = "integrations/object_form.html"
    read_role = Role.OPERATOR
    write_role = Role.OPERATOR
    success_message = ""

    def build_form(self, data: Any = None) -> SectionedForm:
        """The per-kind form, bound to `data` on a POST."""
        raise NotImplementedError

    def save(self, form: Any) -> Any:
        """Call the action; return the saved object."""
        raise NotImplementedError

    def after_save(self, saved: Any) -> None:
        """Anything to do once the object is saved (a connection test, ...)."""

    #: a create view shows this chooser when the URL names no `?kind=`
    chooser: type[View[Any]] | None = None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.chooser is not None and not request.GET.get("kind"):
            return self.chooser.as_view()(request)
        return self.render_to_response(self.get_context_data(form=self.build_form()))

    def requested_kind(self, choices: type[IntegrationKind] | type[AccountKind]) -> str:
        """The `?kind=` of a create page, or 404."""
        return parse_kind(self.request.GET.get("kind", ""), choices)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.build_form(request.POST)
        if not form.is_valid():
            form.show_schema_errors()
        else:
            try:
                saved = self.save(form)
            except APIException as error:
                show_action_errors(form, error, form.error_paths())
            else:
                messages.success(request, self.success_message.format(obj=saved))
                self.after_save(saved)
                return redirect(saved_url(saved))
        return self.render_to_response(self.get_context_data(form=form), status=400)


def saved_url(obj: Integration | ProviderAccount) -> str:
    """Where to go after saving: the object's detail page."""
    name = "integration-detail" if isinstance(obj, Integration) else "account-detail"
    return reverse(f"integrations:{name}", kwargs={"pk": obj.pk})


class DeleteView(DashboardMixin, SingleObjectMixin, TemplateView):
    """Confirm (GET), then delete through the action (POST)."""

    template_name = "confirm_delete.html"
    read_role = Role.OPERATOR
    write_role = Role.OPERATOR
    section_title = ""
    list_url_name = ""
    consequence = ""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        return self.render_to_response(
            self.get_context_data(
                object=self.object,
                section_title=self.section_title,
                cancel_url=saved_url(self.object),
                consequence=self.consequence.format(obj=self.object),
            )
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        try:
            self.perform_delete(self.object)
        except APIException as error:
            messages.error(request, str(error.detail))
            return redirect(saved_url(self.object))
        messages.success(request, f"{self.object} deleted.")
        return redirect(self.list_url_name)

    def perform_delete(self, obj: Any) -> None:
        """Call the action that deletes `obj`."""
        raise NotImplementedError
