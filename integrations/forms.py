"""Dashboard forms for provider accounts and integrations, generated from the backend's schemas.

Per-kind fields come from the same serializers the API validates with
(`integrations.kinds.<kind>.ConfigSerializer`, `account_settings.SETTINGS_SCHEMAS`),
and the forms do no validation of their own beyond reading the input: the
actions check it, so the dashboard shows the API's messages beside each field.
Field names are the API's dotted paths (`config.twilio_number`, `settings.region`,
`secrets.api_key`, `accounts.aws`), which is how action errors find their field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from integrations.account_settings import SECRET_NAMES, SETTINGS_SCHEMAS, validate_settings
from integrations.choices import AccountKind, IntegrationKind, Policy
from integrations.kinds import get_kind
from integrations.kinds.schema import StrictSerializer
from integrations.models import Integration, ProviderAccount
from integrations.vendor_choices import pickers_for
from tenants.forms import DashboardForm, show_action_errors

# `DictField`s are typed one entry per line, `NAME = VALUE` (e.g. `X-Customer = From`).
DICT_LINE = re.compile(r"^\s*(?P<key>[^=]+?)\s*=\s*(?P<value>.*?)\s*$")


def help_html(text: str) -> SafeString:
    """A schema's help text with `backticks` shown as code, everything else escaped."""
    parts = escape(str(text or "")).split("`")
    return mark_safe("".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts)))


# Words shown in capitals in labels generated from field names.
ACRONYMS = {"id": "ID", "sip": "SIP", "uri": "URI", "arn": "ARN", "sid": "SID", "api": "API", "aws": "AWS"}


def label_for(name: str) -> str:
    """`synthflow_assistant_id` → `Synthflow assistant ID`."""
    words = [ACRONYMS.get(word, word) for word in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


class SchemaFields:
    """Form fields for one schema (a StrictSerializer) under a dotted prefix, and the way back to data."""

    def __init__(self, schema: type[StrictSerializer], prefix: str) -> None:
        self.schema = schema
        self.prefix = prefix
        self.serializer_fields = {name: f for name, f in schema().fields.items() if not f.read_only}

    def name(self, field_name: str, sub: str | None = None) -> str:
        """The form field name of a schema field (`config.fallback.dial` for nested ones)."""
        return f"{self.prefix}.{field_name}" + (f".{sub}" if sub else "")

    def build(self) -> dict[str, forms.Field]:
        """Django form fields, each marked `schema_required` when the schema needs a value."""
        built: dict[str, forms.Field] = {}
        for name, field in self.serializer_fields.items():
            if isinstance(field, serializers.Serializer):
                # The nested schema's docstring says how its fields go together; show it once, first.
                help_text = str(field.help_text or (type(field).__doc__ or "").strip().splitlines()[0])
                for index, (sub, sub_field) in enumerate(field.fields.items()):
                    built[self.name(name, sub)] = self._form_field(
                        sub_field, f"{label_for(name)}: {sub}", help_text if index == 0 else ""
                    )
                continue
            built[self.name(name)] = self._form_field(field, label_for(name), str(field.help_text or ""))
        return built

    def error_paths(self) -> dict[str, str]:
        """Errors about a nested schema as a whole go beside its first field."""
        return {
            self.name(name): self.name(name, next(iter(field.fields.keys())))
            for name, field in self.serializer_fields.items()
            if isinstance(field, serializers.Serializer)
        }

    def _form_field(self, field: serializers.Field, label: str, help_text: str) -> forms.Field:
        required = field.required and field.default is serializers.empty
        common: dict[str, Any] = {"label": label, "required": False, "help_text": help_html(help_text)}
        if isinstance(field, serializers.BooleanField):
            form_field: forms.Field = forms.BooleanField(**common)
        elif isinstance(field, serializers.ChoiceField):
            choices = list(field.choices.items())
            if not required and field.default is serializers.empty:
                choices = [("", "—"), *choices]
            elif required:
                choices = [("", "Choose…"), *choices]
            # A CharField with a select: the schema, not Django, says what is not a valid choice.
            form_field = forms.CharField(widget=forms.Select(choices=choices), **common)
        elif isinstance(field, serializers.IntegerField):
            attrs: dict[str, Any] = {
                k: v for k, v in (("min", field.min_value), ("max", field.max_value)) if v is not None
            }
            form_field = forms.CharField(widget=forms.NumberInput(attrs=attrs), **common)
        elif isinstance(field, serializers.ListField):
            common["help_text"] = help_html(f"{help_text} One per line.".strip())
            form_field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
        elif isinstance(field, serializers.DictField):
            common["help_text"] = help_html(f"{help_text} One per line: `NAME = VALUE`.".strip())
            form_field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
        else:
            attrs = {"autocomplete": "off", "spellcheck": "false"}
            max_length = getattr(field, "max_length", None)
            if max_length:
                attrs["maxlength"] = str(max_length)
            form_field = forms.CharField(widget=forms.TextInput(attrs=attrs), strip=False, **common)
        form_field.schema_required = required  # type: ignore[attr-defined]
        if field.default is not serializers.empty and not callable(field.default):
            form_field.initial = field.default
        return form_field

    def initial(self, values: dict[str, Any]) -> dict[str, Any]:
        """Form initial values for stored data (an edit form)."""
        initial: dict[str, Any] = {}
        for name, field in self.serializer_fields.items():
            if name not in values:
                continue
            value = values[name]
            if isinstance(field, serializers.Serializer):
                for sub in field.fields.keys():  # noqa: SIM118 (drf-stubs: BindingDict iterates as Field)
                    if isinstance(value, dict) and sub in value:
                        initial[self.name(name, sub)] = value[sub]
            elif isinstance(field, serializers.ListField):
                initial[self.name(name)] = "\n".join(str(item) for item in value or [])
            elif isinstance(field, serializers.DictField):
                initial[self.name(name)] = "\n".join(f"{k} = {v}" for k, v in sorted((value or {}).items()))
            else:
                initial[self.name(name)] = value
        return initial

    def collect(self, form: forms.Form) -> dict[str, Any]:
        """The typed-in values as the API would receive them; blank optional fields are left out."""
        data: dict[str, Any] = {}
        for name, field in self.serializer_fields.items():
            if isinstance(field, serializers.Serializer):
                nested = {
                    sub: form.cleaned_data[self.name(name, sub)].strip()
                    for sub in field.fields.keys()  # noqa: SIM118 (drf-stubs: BindingDict iterates as Field)
                    if str(form.cleaned_data.get(self.name(name, sub)) or "").strip()
                }
                if nested:
                    data[name] = nested
                continue
            raw = form.cleaned_data.get(self.name(name))
            if isinstance(field, serializers.BooleanField):
                data[name] = bool(raw)
                continue
            text = str(raw or "")
            if isinstance(field, serializers.ListField):
                items = [line.strip() for line in text.splitlines() if line.strip()]
                if items or field.required:
                    data[name] = items
            elif isinstance(field, serializers.DictField):
                mapping = self._parse_dict(form, self.name(name), text)
                if mapping or field.required:
                    data[name] = mapping
            elif text.strip() or field.required:
                data[name] = text.strip()
        return data

    @staticmethod
    def _parse_dict(form: forms.Form, field_name: str, text: str) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            match = DICT_LINE.match(line)
            if match is None:
                form.add_error(field_name, f"Line {number}: write NAME = VALUE.")
                continue
            mapping[match["key"]] = match["value"]
        return mapping


class SectionedForm(DashboardForm):
    """A form whose fields are shown in titled sections (by their dotted prefix)."""

    section_titles: dict[str, str] = {}

    def sections(self) -> Iterator[tuple[str, list[forms.BoundField]]]:
        """(title, fields) per section, in field order."""
        groups: dict[str, list[forms.BoundField]] = {}
        for bound in self.visible_fields():
            prefix = bound.name.split(".", 1)[0] if "." in bound.name else ""
            groups.setdefault(prefix, []).append(bound)
        for prefix, fields in groups.items():
            yield self.section_titles.get(prefix, ""), fields

    def error_paths(self) -> dict[str, str]:
        """Error paths of the actions mapped to field names, where they differ."""
        return {}

    def schema_checks(self) -> list[tuple[str, Callable[[], object]]]:
        """(error path, check) pairs that validate without saving; see `show_schema_errors`."""
        return []

    def show_schema_errors(self) -> None:
        """When the form itself is invalid (a map field could not be read), still show what the
        schemas say about the other fields, so one submit reveals every mistake."""
        for path, check in self.schema_checks():
            try:
                check()
            except ValidationError as error:
                wrapped = ValidationError({path: error.detail})
                show_action_errors(self, wrapped, self.error_paths(), skip_fields_with_errors=True)


class ProviderAccountForm(SectionedForm):
    """Name, per-kind settings and write-only secrets of a provider account."""

    section_titles = {"": "Account", "settings": "Settings", "secrets": "Secrets"}

    name = forms.CharField(required=False, max_length=200, help_text="How your team refers to this account.")

    def __init__(self, *args: Any, kind: str, account: ProviderAccount | None = None, **kwargs: Any) -> None:
        self.kind = kind
        self.account = account
        self.settings_fields = SchemaFields(SETTINGS_SCHEMAS[kind], "settings")
        #: settings as the API takes them, read in clean()
        self.settings_data: dict[str, Any] = {}
        if account is not None:
            initial = {"name": account.name, **self.settings_fields.initial(account.settings)}
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["name"].schema_required = True  # type: ignore[attr-defined]
        if kind == AccountKind.AWS and account is None:
            # The external id shown above the form before the role exists (aws_onboarding.py), signed.
            self.fields["external_id_token"] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.fields.update(self.settings_fields.build())
        for secret in SECRET_NAMES[kind]:
            is_set = account is not None and secret in account.secret_names
            field = forms.CharField(
                label=label_for(secret),
                required=False,
                strip=False,
                # Never rendered back: the page shows only whether it is set.
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                help_text="Leave empty to keep the current value." if account is not None else "",
            )
            field.schema_required = account is None  # type: ignore[attr-defined]
            field.secret_state = "set" if is_set else ("not set" if account is not None else "")  # type: ignore[attr-defined]
            self.fields[f"secrets.{secret}"] = field

    def error_paths(self) -> dict[str, str]:
        return self.settings_fields.error_paths()

    def schema_checks(self) -> list[tuple[str, Callable[[], object]]]:
        return [("settings", lambda: validate_settings(self.kind, self.settings_data))]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.settings_data = self.settings_fields.collect(self)
        return cleaned

    def secrets_data(self) -> dict[str, str]:
        """Secrets typed in; on an edit, empty ones are left unchanged."""
        values = {name: self.cleaned_data.get(f"secrets.{name}") or "" for name in SECRET_NAMES[self.kind]}
        if self.account is not None:
            return {name: value for name, value in values.items() if value.strip()}
        return values


class IntegrationForm(SectionedForm):
    """Name, policy, the provider accounts it uses, and the per-kind config of an integration."""

    section_titles = {"": "Integration", "accounts": "Provider accounts", "config": "Configuration"}

    name = forms.CharField(
        required=False,
        max_length=100,
        help_text="Lowercase letters, digits and hyphens; part of every vendor object's name, so fixed.",
    )
    policy = forms.ChoiceField(
        choices=Policy.choices,
        initial=Policy.HEAL,
        help_text="What reconciliation does with drift: fix it, or only show the diff.",
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        accounts: QuerySet[ProviderAccount],
        integration: Integration | None = None,
        **kwargs: Any,
    ) -> None:
        self.kind = IntegrationKind(kind)
        self.integration = integration
        self.module = get_kind(kind)
        self.config_fields = SchemaFields(self.module.ConfigSerializer, "config")
        #: config as the API takes it, read in clean()
        self.config_data: dict[str, Any] = {}
        if integration is not None:
            initial = {
                "name": integration.name,
                "policy": integration.policy,
                **{f"accounts.{k}": v for k, v in integration.account_ids().items()},
                **self.config_fields.initial(integration.config),
            }
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["name"].schema_required = True  # type: ignore[attr-defined]
        if integration is not None:
            self.fields["name"].disabled = True
        for account_kind in self.module.required_accounts:
            field = forms.ModelChoiceField(
                queryset=accounts.filter(kind=account_kind),
                required=False,
                empty_label="Choose…",
                label=f"{AccountKind(account_kind).label} account",
            )
            field.schema_required = True  # type: ignore[attr-defined]
            self.fields[f"accounts.{account_kind}"] = field
        self.fields.update(self.config_fields.build())
        self._offer_choices()

    def _offer_choices(self) -> None:
        """Fields naming vendor objects get suggestions listed from the chosen account (pickers.js).

        The page asks `/api/v1/accounts/{id}/choices/` once an account is chosen; when the vendor
        does not answer, the field stays free text and the page says why.
        """
        for name, picker in pickers_for(self.kind).items():
            field = self.fields.get(f"config.{name}")
            if field is None:
                continue
            attrs = field.widget.attrs
            attrs["data-picker-account"] = f"accounts.{picker.account_kind}"
            attrs["data-picker-field"] = name
            attrs["aria-describedby"] = f"picker-status-{name}"
            if picker.depends_on:
                attrs["data-picker-depends"] = ",".join(f"config.{dep}" for dep in picker.depends_on)
            if isinstance(field.widget, forms.TextInput):
                attrs["list"] = f"choices-{name}"
            field.picker = picker  # type: ignore[attr-defined]

    def error_paths(self) -> dict[str, str]:
        return self.config_fields.error_paths()

    def schema_checks(self) -> list[tuple[str, Callable[[], object]]]:
        return [("config", lambda: self.module.validate_config(self.config_data))]

    def missing_account_kinds(self) -> list[str]:
        """Account kinds this integration needs but the tenant has none of (shown as a hint)."""
        return [
            AccountKind(kind).label
            for kind in self.module.required_accounts
            if not self.fields[f"accounts.{kind}"].queryset.exists()  # type: ignore[attr-defined]
        ]

    def accounts_data(self) -> dict[str, ProviderAccount]:
        """`{account kind: account}` as the actions take them."""
        chosen = {kind: self.cleaned_data.get(f"accounts.{kind}") for kind in self.module.required_accounts}
        return {kind: account for kind, account in chosen.items() if account is not None}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.config_data = self.config_fields.collect(self)
        return cleaned
