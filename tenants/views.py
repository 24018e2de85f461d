"""Dashboard pages of the tenants app: login, tenant switcher, tokens, members and the audit log.

Rows are reached only through `TenantScopedMixin.get_queryset()`; every change
goes through `tenants.actions`, which audits it.
"""

from __future__ import annotations

import json
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.contrib.auth.views import LogoutView as DjangoLogoutView
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView
from django.views.generic.detail import SingleObjectMixin
from rest_framework.exceptions import APIException

from tenants import actions, invitations
from tenants.choices import AuditAction, Role
from tenants.forms import AuditFilterForm, MemberAddForm, MemberRoleForm, TokenCreateForm, show_action_errors
from tenants.login_throttle import LoginThrottle, lockout_message
from tenants.mixins import DashboardMixin
from tenants.models import ApiToken, AuditEvent, Invitation, Membership, Tenant
from tenants.requests import MemberHttpRequest, TenantHttpRequest

#: session key of a new token's key, shown once on the next page and removed
SESSION_NEW_TOKEN_KEY = "patchbay_new_token"
AUDIT_PAGE_SIZE = 50


class LoginView(DjangoLoginView):
    """Email + password login, throttled per account and address; a logged-in user goes to the dashboard."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True
    throttle: LoginThrottle

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.throttle = LoginThrottle.for_request(request, request.POST.get("username", ""))
        wait = self.throttle.wait_seconds()
        if wait:
            # Refused before the password is looked at: guesses during a lockout teach nothing.
            return self.locked_out(wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        self.throttle.succeeded()
        return super().form_valid(form)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            self.throttle.failed()
            wait = self.throttle.wait_seconds()
            if wait:
                return self.locked_out(wait)
        return super().form_invalid(form)

    def locked_out(self, wait: int) -> HttpResponse:
        """The login page with the lockout message, as 429 with Retry-After."""
        # Unbound, so that the password is not checked; the email stays filled in.
        form = self.get_form_class()(
            self.request, initial={"username": self.request.POST.get("username", "")}
        )
        context = self.get_context_data(form=form, lockout=lockout_message(wait))
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(wait)
        return response


class LogoutView(DjangoLogoutView):
    """Log out (POST only, as Django requires) and return to the login page."""


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard's front page: the fleet overview, or an explanation for a user without a tenant."""
    if getattr(request, "tenant", None) is None:
        return render(request, "tenants/no_tenant.html", status=403)
    from integrations.views.fleet import FleetOverviewView  # the integrations app builds on this one

    return FleetOverviewView.as_view()(request)


@require_POST
@login_required
def switch_tenant(request: TenantHttpRequest) -> HttpResponse:
    """Make another of the user's tenants the current one, then go back where they were."""
    tenant = Tenant.objects.filter(slug=request.POST.get("tenant", "")).first()
    if tenant is None:
        raise Http404("No such tenant.")
    membership = actions.switch_tenant(request, tenant)  # 404 unless the user is a member
    messages.info(request, f"Now working in {tenant.name} as {membership.get_role_display().lower()}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("tenants:home")
    return HttpResponseRedirect(target)


# --- API tokens ----------------------------------------------------------------


class TokenListView(DashboardMixin, ListView):
    """The tenant's API tokens: prefix, role, last use, expiry; create and revoke (admins)."""

    model = ApiToken
    template_name = "tenants/token_list.html"
    read_role = Role.ADMIN
    write_role = Role.ADMIN
    nav_section = "tokens"

    def get_queryset(self) -> QuerySet[ApiToken]:
        return super().get_queryset().select_related("created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", TokenCreateForm())
        return context

    def post(self, request: MemberHttpRequest) -> HttpResponse:
        form = TokenCreateForm(request.POST)
        if form.is_valid():
            try:
                token, key = actions.create_api_token(
                    request.tenant,
                    name=form.cleaned_data["name"],
                    role=form.cleaned_data["role"],
                    expires_at=form.cleaned_data["expires_at"],
                    actor=self.actor,
                )
            except APIException as error:
                show_action_errors(form, error)
            else:
                # Kept in the session only until the next page shows it once.
                request.session[SESSION_NEW_TOKEN_KEY] = {"id": str(token.pk), "key": key}
                return redirect("tenants:token-created", pk=token.pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


@method_decorator(never_cache, name="dispatch")
class TokenCreatedView(DashboardMixin, DetailView):
    """Shows a new token's key exactly once; a reload shows that it is gone."""

    model = ApiToken
    template_name = "tenants/token_created.html"
    context_object_name = "token"
    read_role = Role.ADMIN
    write_role = Role.ADMIN
    nav_section = "tokens"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        pending = self.request.session.get(SESSION_NEW_TOKEN_KEY) or {}
        context["key"] = None
        if pending.get("id") == str(self.object.pk):
            context["key"] = pending["key"]
            del self.request.session[SESSION_NEW_TOKEN_KEY]
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "no-store"  # the key must not stay in any cache
        return response


class TokenRevokeView(DashboardMixin, SingleObjectMixin, View):
    """Revoke a token (POST)."""

    model = ApiToken
    read_role = Role.ADMIN
    write_role = Role.ADMIN

    def post(self, request: HttpRequest, pk: str) -> HttpResponse:
        token = self.get_object()
        actions.revoke_api_token(token, actor=self.actor)
        messages.success(request, f"Token “{token.name}” revoked: requests with it now get 401.")
        return redirect("tenants:token-list")


# --- members ---------------------------------------------------------------------


class MemberListView(DashboardMixin, ListView):
    """Who belongs to the tenant; admins add people by email, change roles and remove them."""

    request: MemberHttpRequest
    model = Membership
    template_name = "tenants/member_list.html"
    read_role = Role.VIEWER
    write_role = Role.ADMIN
    nav_section = "members"

    def get_queryset(self) -> QuerySet[Membership]:
        return super().get_queryset().select_related("user").order_by("created_at", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", MemberAddForm())
        context["roles"] = Role.choices
        if self.can(Role.ADMIN):
            pending = self.scoped(Invitation)
            context["invitations"] = [i for i in pending.select_related("invited_by") if i.is_pending()]
        return context

    def post(self, request: MemberHttpRequest) -> HttpResponse:
        form = MemberAddForm(request.POST)
        if form.is_valid():
            try:
                invitation = invitations.invite_member(
                    request.tenant,
                    form.cleaned_data["email"],
                    form.cleaned_data["role"],
                    actor=self.actor,
                )
            except APIException as error:
                show_action_errors(form, error)
            else:
                # The same words whether or not the address has a login (issue 13, item 8).
                messages.success(
                    request,
                    f"Invitation sent to {invitation.email} as {invitation.role}; "
                    f"the link works until {invitation.expires_at:%Y-%m-%d %H:%M} UTC.",
                )
                return redirect("tenants:member-list")
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class InvitationRevokeView(DashboardMixin, SingleObjectMixin, View):
    """Revoke a pending invitation (POST; admins): its link stops working."""

    model = Invitation
    read_role = Role.ADMIN
    write_role = Role.ADMIN

    def post(self, request: HttpRequest, pk: str) -> HttpResponse:
        invitation = invitations.revoke_invitation(self.get_object(), actor=self.actor)
        messages.success(request, f"Invitation to {invitation.email} revoked.")
        return redirect("tenants:member-list")


class MemberRoleView(DashboardMixin, SingleObjectMixin, View):
    """Change a member's role (POST; admins, and only owners grant or take the owner role)."""

    model = Membership
    read_role = Role.ADMIN
    write_role = Role.ADMIN

    def post(self, request: HttpRequest, pk: str) -> HttpResponse:
        membership = self.get_object()
        form = MemberRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose one of the roles owner, admin, operator or viewer.")
            return redirect("tenants:member-list")
        try:
            actions.change_member_role(membership, form.cleaned_data["role"], actor=self.actor)
        except APIException as error:
            messages.error(request, str(error.detail))
        else:
            messages.success(request, f"{membership.user.email} is now {form.cleaned_data['role']}.")
        return redirect("tenants:member-list")


class MemberRemoveView(DashboardMixin, SingleObjectMixin, View):
    """Take a member out of the tenant (POST; the last owner stays)."""

    model = Membership
    read_role = Role.ADMIN
    write_role = Role.ADMIN

    def post(self, request: HttpRequest, pk: str) -> HttpResponse:
        membership = self.get_object()
        try:
            actions.remove_member(membership, actor=self.actor)
        except APIException as error:
            messages.error(request, str(error.detail))
            return redirect("tenants:member-list")
        messages.success(request, f"{membership.user.email} removed from the tenant.")
        if membership.user_id == request.user.pk:
            return redirect("tenants:home")
        return redirect("tenants:member-list")


# --- audit log ---------------------------------------------------------------------


class AuditListView(DashboardMixin, ListView):
    """Every change in the tenant, newest first, filterable by action."""

    model = AuditEvent
    template_name = "tenants/audit_list.html"
    paginate_by = AUDIT_PAGE_SIZE
    read_role = Role.VIEWER
    nav_section = "audit"

    def get_queryset(self) -> QuerySet[AuditEvent]:
        events = super().get_queryset().order_by("-at", "-id")
        action = self.request.GET.get("action", "")
        return events.filter(action=action) if action else events

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = AuditFilterForm(self.request.GET or None)
        seen = set(super().get_queryset().values_list("action", flat=True).distinct())
        labels = dict(AuditAction.choices)
        action = self.request.GET.get("action", "")
        known = sorted(name for name in seen | {action} if name)
        cast(forms.ChoiceField, form.fields["action"]).choices = [("", "All actions")] + [
            (name, labels.get(name, name)) for name in known
        ]
        context.update(
            filter_form=form,
            action=action,
            query=urlencode({"action": action}) if action else "",
            rows=[(event, diff_lines(event.diff)) for event in context["object_list"]],
        )
        return context


#: diff lines of an audit event shown before the rest fold away under "more"
DIFF_LINES_SHOWN = 4


def diff_lines(diff: dict[str, Any]) -> dict[str, list[tuple[str, str | None, str]]]:
    """An audit diff as `(field, old, new)` text lines (JSON for structured values), split shown/folded."""

    def text(value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value, sort_keys=True)

    lines = []
    for field, change in (diff or {}).items():
        old, new = change if isinstance(change, list | tuple) and len(change) == 2 else (None, change)
        lines.append((field, None if old is None else text(old), "—" if new is None else text(new)))
    return {"shown": lines[:DIFF_LINES_SHOWN], "folded": lines[DIFF_LINES_SHOWN:]}
