"""Dashboard forms for tokens, members and the audit filter, and how action errors land on form fields.

Forms here only collect input: every check that matters is the action's
(tenants/actions.py, integrations/actions.py), so the dashboard shows exactly the
messages the API gives. `show_action_errors` puts those messages beside the
field they name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.forms.utils import ErrorList
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.settings import api_settings

from tenants.choices import AuditAction, Role

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def flatten_errors(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF error detail (nested dicts and lists) as `{"config.area_code": [message, ...]}`."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            child = path if key == NON_FIELD else (f"{path}.{key}" if path else str(key))
            for name, messages in flatten_errors(value, child).items():
                flat.setdefault(name, []).extend(messages)
        return flat
    if isinstance(detail, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in detail):
            return {path: [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            if item:
                for name, messages in flatten_errors(item, f"{path}.{index}").items():
                    flat.setdefault(name, []).extend(messages)
        return flat
    return {path: [str(detail)]}


def show_action_errors(
    form: forms.Form,
    error: APIException,
    fields: Mapping[str, str] | None = None,
    *,
    skip_fields_with_errors: bool = False,
) -> None:
    """Attach an action's error to `form`: each message beside the field it names.

    `fields` maps error paths (`config.twilio_number`, `accounts.aws`) to form
    field names; without an entry a path is tried as a field name. A message for
    a part of a field (an item of a list, a key of a map) goes to the field with
    that part named; anything else becomes an error of the whole form. With
    `skip_fields_with_errors`, fields that already show an error keep only that one.
    """
    fields = dict(fields or {})
    detail = error.detail if isinstance(error, ValidationError) else [error.detail]
    for path, messages in flatten_errors(detail).items():
        target, rest = _field_for(form, fields, path)
        if skip_fields_with_errors and target is not None and form.has_error(target):
            continue
        for message in messages:
            if target is None:
                form.add_error(None, f"{path}: {message}" if path else message)
            else:
                form.add_error(target, f"{_describe(rest)}: {message}" if rest else message)


def _field_for(form: forms.Form, fields: Mapping[str, str], path: str) -> tuple[str | None, str]:
    """The form field for the longest known prefix of `path`, and what is left of the path."""
    parts = path.split(".") if path else []
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        name = fields.get(prefix, prefix)
        if name in form.fields:
            return name, ".".join(parts[cut:])
    return None, path


def _describe(rest: str) -> str:
    """`0` → `Item 1`, `X-Foo` → `X-Foo`: which part of a list or map field a message is about."""
    head = rest.split(".")[0]
    return f"Item {int(head) + 1}" if head.isdigit() else head


class DashboardForm(forms.Form):
    """A form whose errors render as a plain list (the templates style them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", ErrorList)
        super().__init__(*args, **kwargs)


class TokenCreateForm(DashboardForm):
    """Name, role and optional expiry of a new API token."""

    name = forms.CharField(max_length=100, help_text="What uses it, e.g. “terraform” or “CI”.")
    role = forms.ChoiceField(
        choices=Role.choices,
        initial=Role.VIEWER,
        help_text="A token's role cannot exceed yours; viewer tokens can only read.",
    )
    expires_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Optional (UTC). Leave empty for a token that does not expire.",
    )


class MemberAddForm(DashboardForm):
    """Invite someone to the tenant by email."""

    email = forms.EmailField(help_text="They get a link by email and join when they accept it.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class InvitationSignupForm(DashboardForm):
    """A new user's password, chosen when accepting an invitation (the email is the invitation's)."""

    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        from django.contrib.auth.password_validation import validate_password

        super().clean()
        data = self.cleaned_data
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        elif data.get("password1"):
            try:
                validate_password(data["password1"])
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class MemberRoleForm(DashboardForm):
    """Change one member's role."""

    role = forms.ChoiceField(choices=Role.choices)


class AuditFilterForm(DashboardForm):
    """Filter the audit log by action."""

    action = forms.ChoiceField(choices=[("", "All actions"), *AuditAction.choices], required=False)
