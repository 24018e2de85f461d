"""Dashboard pages for provider accounts: list, vendor chooser, create/edit, detail, delete.

Secrets are password inputs that are never rendered back: pages say only
whether each is set. Changes go through `integrations.actions`.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from integrations import actions
from integrations.account_settings import SECRET_NAMES
from integrations.aws_onboarding import (
    cloudformation_template,
    external_id_from_token,
    new_external_id_token,
    policies_for,
)
from integrations.choices import AccountKind
from integrations.connection_checks import check_connection
from integrations.forms import ProviderAccountForm
from integrations.models import ACCOUNT_FIELDS, Integration, ProviderAccount
from integrations.tables import settings_summary
from integrations.views.base import DeleteView, KindFormView, saved_url
from tenants.choices import Role
from tenants.requests import MemberHttpRequest
from tenants.views import DashboardMixin

ACCOUNT_HINTS: dict[str, str] = {
    AccountKind.AWS: "A role in your AWS account that Patchbay assumes with an external id. No access keys.",
    AccountKind.VAPI: "A Vapi private API key.",
    AccountKind.SYNTHFLOW: "A Synthflow API key and its workspace.",
    AccountKind.GENESYS: "A Genesys Cloud OAuth client (client credentials grant).",
    AccountKind.TWILIO: "A Twilio account SID and auth token.",
}


class AccountListView(DashboardMixin, ListView):
    """Provider accounts with their settings, which secrets are set, and what uses them."""

    request: MemberHttpRequest
    model = ProviderAccount
    template_name = "integrations/account_list.html"
    nav_section = "accounts"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        links = self.scoped(Integration).values_list(*(f"{field}_id" for field in ACCOUNT_FIELDS.values()))
        used = Counter(pk for row in links for pk in row if pk is not None)
        context["rows"] = [
            {
                "account": account,
                "summary": settings_summary(account.settings),
                "secrets": [(name, name in account.secret_names) for name in SECRET_NAMES[account.kind]],
                "used_by": used[account.pk],
            }
            for account in context["object_list"]
        ]
        return context


class AccountChooseKindView(DashboardMixin, TemplateView):
    """ "New provider account": pick the vendor."""

    template_name = "integrations/choose_kind.html"
    read_role = Role.OPERATOR
    nav_section = "accounts"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title="New provider account",
            section_url=reverse("integrations:account-list"),
            section_title="Provider accounts",
            choices=[
                {
                    "url": f"{reverse('integrations:account-new')}?kind={kind}",
                    "label": label,
                    "text": ACCOUNT_HINTS[kind],
                }
                for kind, label in AccountKind.choices
            ],
        )
        return context


def report_connection(request: HttpRequest, account: ProviderAccount) -> None:
    """Test the account's connection and say what the vendor answered (a flash message)."""
    result = check_connection(account)
    if result.ok:
        messages.success(request, f"Connection test passed: {result.message}")
    else:
        messages.warning(request, f"Connection test failed: {result.message}")


class AccountFormMixin(KindFormView):
    """Shared by create and edit of provider accounts: a saved account's connection is tested."""

    request: MemberHttpRequest
    nav_section = "accounts"

    def after_save(self, saved: ProviderAccount) -> None:
        if settings.VENDOR_CHECKS_ON_SAVE:
            report_connection(self.request, saved)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(section_url=reverse("integrations:account-list"), section_title="Provider accounts")
        return context


class AccountCreateView(AccountFormMixin):
    """Create a provider account of the `?kind=` vendor in the URL (without one: the vendor chooser)."""

    chooser = AccountChooseKindView

    success_message = "Provider account {obj.name} created."

    def build_form(self, data: Any = None) -> ProviderAccountForm:
        kind = self.requested_kind(AccountKind)
        initial = {}
        if kind == AccountKind.AWS:
            # A page shown anew gets a fresh external id; a page sent back keeps the one it showed.
            token = (data or {}).get("external_id_token", "")
            if external_id_from_token(token) is None:
                token = new_external_id_token()[1]
            initial["external_id_token"] = token
            if data is not None:
                data = data.copy()
                data["external_id_token"] = token
        return ProviderAccountForm(data, kind=kind, initial=initial)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        kind = form.kind
        context.update(
            title=f"New {AccountKind(kind).label} account",
            submit_label="Create account",
            hint=ACCOUNT_HINTS[kind],
        )
        if kind == AccountKind.AWS:
            token = form["external_id_token"].value()
            context["onboarding"] = aws_onboarding_context(external_id_from_token(token) or "", token)
        return context

    def save(self, form: ProviderAccountForm) -> ProviderAccount:
        token = form.cleaned_data.get("external_id_token") or ""
        return actions.create_provider_account(
            self.request.tenant,
            name=(form.cleaned_data.get("name") or "").strip(),
            kind=form.kind,
            settings=form.settings_data,
            secrets=form.secrets_data(),
            actor=self.actor,
            external_id=external_id_from_token(token) or "" if form.kind == AccountKind.AWS else "",
        )


def aws_onboarding_context(external_id: str, token: str) -> dict[str, Any]:
    """What the "New AWS account" page shows before asking for the role ARN."""
    trust, permissions = policies_for(external_id)
    return {
        "external_id": external_id,
        "trust_policy_json": json.dumps(trust, indent=2),
        "permission_policy_json": json.dumps(permissions, indent=2),
        "template_url": f"{reverse('integrations:aws-role-template')}?{urlencode({'token': token})}",
    }


class AccountEditView(AccountFormMixin, SingleObjectMixin):
    """Edit a provider account; secrets left empty keep their value."""

    model = ProviderAccount
    success_message = "Provider account {obj.name} saved."

    def build_form(self, data: Any = None) -> ProviderAccountForm:
        self.object = self.get_object()
        return ProviderAccountForm(data, kind=self.object.kind, account=self.object)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"Edit {self.object.name}", submit_label="Save changes", cancel_url=saved_url(self.object)
        )
        return context

    def save(self, form: ProviderAccountForm) -> ProviderAccount:
        return actions.update_provider_account(
            self.object,
            name=(form.cleaned_data.get("name") or "").strip(),
            settings=form.settings_data,
            secrets=form.secrets_data(),
            actor=self.actor,
        )


class AccountDetailView(DashboardMixin, DetailView):
    """A provider account: settings, which secrets are set, and for AWS the trust policy to paste."""

    request: MemberHttpRequest
    model = ProviderAccount
    template_name = "integrations/account_detail.html"
    nav_section = "accounts"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        account = self.object
        policy = account.trust_policy()
        permissions = account.permission_policy()
        context.update(
            secrets=[(name, name in account.secret_names) for name in SECRET_NAMES[account.kind]],
            trust_policy_json=json.dumps(policy, indent=2) if policy else "",
            permission_policy_json=json.dumps(permissions, indent=2) if permissions else "",
            used_by=self.scoped(Integration)
            .filter(**{ACCOUNT_FIELDS[account.kind]: account})
            .order_by("name"),
        )
        return context


#: the policy documents an AWS account page offers for download: URL name part → ProviderAccount method
POLICY_DOCUMENTS = {"trust-policy": "trust_policy", "permission-policy": "permission_policy"}


class AccountPolicyView(DashboardMixin, SingleObjectMixin, View):
    """GET: an AWS account's trust or permission policy as a JSON download."""

    model = ProviderAccount
    nav_section = "accounts"
    #: which document (a key of POLICY_DOCUMENTS), set per URL
    document = ""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = self.get_object()
        document = self.document
        policy = getattr(account, POLICY_DOCUMENTS[document])() if document in POLICY_DOCUMENTS else None
        if policy is None:
            raise Http404("Only AWS accounts have role policies.")
        response = HttpResponse(json.dumps(policy, indent=2), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="patchbay-{document}.json"'
        return response


class AccountTestConnectionView(DashboardMixin, SingleObjectMixin, View):
    """POST: test the account's connection now; the answer shows on its page."""

    model = ProviderAccount
    nav_section = "accounts"
    read_role = Role.OPERATOR
    write_role = Role.OPERATOR

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = self.get_object()
        report_connection(request, account)
        return redirect(saved_url(account))


def template_download(external_id: str) -> HttpResponse:
    """The CloudFormation template creating the role for `external_id`, as a download."""
    body = json.dumps(cloudformation_template(external_id), indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="patchbay-role.template.json"'
    return response


class AwsRoleTemplateView(DashboardMixin, View):
    """GET ?token=: the CloudFormation template of a "New AWS account" page (its signed external id)."""

    nav_section = "accounts"
    read_role = Role.OPERATOR

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        external_id = external_id_from_token(request.GET.get("token", ""))
        if external_id is None:
            raise Http404("Open the New AWS account page again: this link is not one of its own.")
        return template_download(external_id)


class AccountTemplateView(DashboardMixin, SingleObjectMixin, View):
    """GET: an AWS account's CloudFormation template (the role with its external id and policies)."""

    model = ProviderAccount
    nav_section = "accounts"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = self.get_object()
        if account.kind != AccountKind.AWS:
            raise Http404("Only AWS accounts have a role template.")
        return template_download(account.external_id)


class AccountDeleteView(DeleteView):
    """Delete a provider account that no integration uses."""

    model = ProviderAccount
    nav_section = "accounts"
    section_title = "Provider accounts"
    list_url_name = "integrations:account-list"
    consequence = (
        "Patchbay forgets {obj} and its encrypted secrets. Integrations using it must be changed first."
    )

    def perform_delete(self, obj: ProviderAccount) -> None:
        actions.delete_provider_account(obj, actor=self.actor)
