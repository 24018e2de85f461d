"""The page an invitation email links to: accept as the logged-in user, or choose a password and join.

Reached by the link's single-use token, not through a tenant membership (NON_TENANT_ROUTES in
tenants/tests/routes.py). Whether the address already has a login is shown only here, to the holder
of a link sent to that address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from rest_framework.exceptions import APIException

from tenants import actions, invitations
from tenants.audit import Actor
from tenants.forms import InvitationSignupForm
from tenants.models import Invitation
from tenants.requests import TenantHttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TEMPLATE = "tenants/invitation_accept.html"


@method_decorator(never_cache, name="dispatch")
class InvitationAcceptView(View):
    request: TenantHttpRequest
    """GET shows the invitation and what to do; POST accepts it (creating the user if needed)."""

    invitation: Invitation | None

    def dispatch(self, request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.invitation = invitations.find_invitation(token)
        if self.invitation is None or not self.invitation.is_pending():
            status = self.invitation.status if self.invitation is not None else "unknown"
            return render(request, TEMPLATE, {"invalid": status}, status=404)
        return super().dispatch(request, token, *args, **kwargs)

    def mode(self) -> str:
        """accept (logged in as the invitee), wrong_user, login (has a login), or signup."""
        assert self.invitation is not None
        user = self.request.user
        if user.is_authenticated:
            return "accept" if (user.email or "").lower() == self.invitation.email.lower() else "wrong_user"
        exists = get_user_model().objects.filter(email__iexact=self.invitation.email).exists()
        return "login" if exists else "signup"

    def render_page(self, form: InvitationSignupForm | None = None, status: int = 200) -> HttpResponse:
        context = {
            "invitation": self.invitation,
            "mode": self.mode(),
            "form": form or InvitationSignupForm(),
            "login_url": f"{reverse('tenants:login')}?next={self.request.path}",
        }
        return render(self.request, TEMPLATE, context, status=status)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self.render_page()

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        assert self.invitation is not None
        mode = self.mode()
        if mode == "accept" and request.user.is_authenticated:
            return self.accept(request.user)
        if mode != "signup":
            return self.render_page(status=403)
        form = InvitationSignupForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        with transaction.atomic():
            email = self.invitation.email
            user = get_user_model().objects.create_user(
                username=email, email=email, password=form.cleaned_data["password1"]
            )
            response = self.accept(user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return response

    def accept(self, user: User) -> HttpResponse:
        assert self.invitation is not None
        actor = Actor(user=user, ip=self.request.META.get("REMOTE_ADDR") or None, role=None)
        try:
            membership = invitations.accept_invitation(self.invitation, user, actor=actor)
        except APIException as error:
            messages.error(self.request, str(error.detail))
            return self.render_page(status=409)
        if self.request.user.is_authenticated:
            actions.switch_tenant(self.request, membership.tenant)
        else:
            self.request.session[actions.SESSION_TENANT_KEY] = membership.tenant_id
        messages.success(self.request, f"Welcome to {membership.tenant.name}: you are {membership.role}.")
        return redirect("tenants:home")
