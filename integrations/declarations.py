"""Integrations as declarations (issue 17, item 4): the create body with accounts by name, for git and CI.

A declaration is `{"name", "kind", "accounts": {account kind: account name}, "config", "policy"}`:
what `export_declaration` writes and what `read_declarations` checks. It carries no secret (those
live in provider accounts, which are referred to by name) and no generated output (ids, public id,
conditions, resources). Matching with the tenant's integrations is by name; the plan and apply
built on it are in `integrations.declaration_actions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ErrorDetail, ValidationError

from integrations.choices import AccountKind, IntegrationKind, Policy
from integrations.integration_checks import check_account_change
from integrations.kinds import get_kind
from integrations.models import Integration, ProviderAccount
from integrations.models.integration import NAME_MAX_LENGTH, validate_integration_name
from tenants.models import Tenant

#: The most integrations one request may declare: each one is validated and, in a dry run, planned
#: against its vendors, so a request's work stays bounded (the soak's rule: bounded work per request).
MAX_DECLARATIONS = 50
DECLARATION_FIELDS = ("name", "kind", "accounts", "config", "policy")


def export_declaration(integration: Integration) -> dict[str, Any]:
    """The integration as a declaration: the create body, accounts by name, nothing generated or secret."""
    accounts = {
        str(kind): account.name
        for kind in AccountKind.values
        if (account := integration.account(kind)) is not None
    }
    # str(): a model built in this process may still hold the choice enum, which YAML cannot write
    return {
        "name": integration.name,
        "kind": str(integration.kind),
        "accounts": accounts,
        "config": dict(integration.config),
        "policy": str(integration.policy),
    }


@dataclass
class Declared:
    """One checked declaration, and the tenant's integration of that name if there is one."""

    name: str
    kind: str
    accounts: dict[str, ProviderAccount]
    config: dict[str, Any]
    policy: str
    existing: Integration | None = None
    #: `{"policy" | "accounts.<kind>" | "config.<key>": [old, new]}` against `existing`
    changes: dict[str, list[Any]] = field(default_factory=dict)

    def state(self) -> dict[str, Any]:
        """The fields a change is reported on, accounts by name."""
        return _state(self.policy, {k: a.name for k, a in self.accounts.items()}, self.config)


def _state(policy: str, account_names: Mapping[str, str], config: Mapping[str, Any]) -> dict[str, Any]:
    state: dict[str, Any] = {"policy": policy}
    state.update({f"accounts.{kind}": name for kind, name in account_names.items()})
    state.update({f"config.{key}": value for key, value in config.items()})
    return state


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def as_list(data: Any) -> list[Any]:
    """The declarations of a body: one object, or a list of them."""
    if isinstance(data, Mapping):
        return [data]
    if isinstance(data, list):
        return data
    raise ValidationError(
        {"non_field_errors": ["Expected a declaration (an object) or a list of declarations."]}
    )


def _label(item: Any, index: int) -> str:
    """How errors name a declaration: its name when it has a usable one, else its position."""
    name = item.get("name") if isinstance(item, Mapping) else None
    return name if isinstance(name, str) and name and "." not in name else str(index)


def _storable(value: Any) -> bool:
    """A string the database can hold and compare (text without NUL)."""
    return isinstance(value, str) and "\x00" not in value


class _Reader:
    """Checks every declaration of one request, collecting errors keyed `<declaration>.<field>`."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.errors: dict[str, Any] = {}

    def fail(self, label: str, field_name: str, message: str | list[Any] | Mapping[str, Any]) -> None:
        detail = self.errors.setdefault(label, {})
        detail[field_name] = message if isinstance(message, list | Mapping) else [message]

    def read(self, items: list[Any]) -> list[Declared]:
        if len(items) > MAX_DECLARATIONS:
            raise ValidationError(
                {"non_field_errors": [f"At most {MAX_DECLARATIONS} integrations per request."]}
            )
        names = [item.get("name") for item in items if isinstance(item, Mapping)]
        # PostgreSQL refuses NUL in a text parameter; no stored name has one, so such a name matches
        # nothing (and is refused as a name below) instead of failing the query
        wanted = {n for n in names if _storable(n)}
        existing = {
            i.name: i
            for i in Integration.objects.for_tenant(self.tenant)
            .filter(name__in=wanted)
            .select_related(*(f"{kind}_account" for kind in AccountKind.values))
        }
        account_names: set[str] = set()
        for item in items:
            accounts = item.get("accounts") if isinstance(item, Mapping) else None
            if isinstance(accounts, Mapping):
                account_names.update(v for v in accounts.values() if _storable(v))
        self.accounts = {
            a.name: a for a in ProviderAccount.objects.for_tenant(self.tenant).filter(name__in=account_names)
        }
        seen: set[str] = set()
        declared: list[Declared] = []
        for index, item in enumerate(items):
            label = _label(item, index)
            one = self._one(label, item, existing, seen)
            if one is not None:
                declared.append(one)
        if self.errors:
            raise ValidationError(self.errors)
        return declared

    def _one(
        self, label: str, item: Any, existing: dict[str, Integration], seen: set[str]
    ) -> Declared | None:
        if not isinstance(item, Mapping):
            self.fail(label, "non_field_errors", "Expected a declaration (an object).")
            return None
        for key in sorted(set(item) - set(DECLARATION_FIELDS), key=str):
            self.fail(label, str(key), f"Unknown field; expected one of: {', '.join(DECLARATION_FIELDS)}.")
        name = self._name(label, item.get("name"), seen)
        kind = item.get("kind")
        if kind not in IntegrationKind.values:
            self.fail(label, "kind", f"Expected one of: {', '.join(IntegrationKind.values)}.")
            return None
        policy = item.get("policy", Policy.HEAL)
        if policy not in Policy.values:
            self.fail(label, "policy", f"Expected one of: {', '.join(Policy.values)}.")
        accounts = self._accounts(label, kind, item.get("accounts"))
        try:
            config = get_kind(kind).validate_config(item.get("config", {}))
        except ValidationError as exc:
            self.fail(label, "config", exc.detail)
            config = None
        current = existing.get(name) if name else None
        if current is not None and current.kind != kind:
            self.fail(label, "kind", f"{name} is a {current.kind} integration; the kind cannot be changed.")
            return None
        if current is not None and current.deleting:
            self.fail(label, "name", f"{name} is being torn down; declare it again once it is gone.")
            return None
        if name is None or accounts is None or config is None or label in self.errors:
            return None
        declared = Declared(name, kind, accounts, config, policy, existing=current)
        if current is not None:
            try:
                check_account_change(current, accounts)
            except ValidationError as exc:
                self.fail(label, "accounts", exc.detail["accounts"])  # type: ignore[call-overload]
                return None
            before = export_declaration(current)
            declared.changes = _changes(
                _state(before["policy"], before["accounts"], before["config"]), declared.state()
            )
        return declared

    def _name(self, label: str, name: Any, seen: set[str]) -> str | None:
        if not isinstance(name, str) or not name or len(name) > NAME_MAX_LENGTH:
            self.fail(label, "name", f"Give a name of 1-{NAME_MAX_LENGTH} characters.")
            return None
        try:
            validate_integration_name(name)
        except DjangoValidationError as exc:
            self.fail(label, "name", list(exc.messages))
            return None
        if name in seen:
            self.fail(label, "name", "Declared twice in this request.")
            return None
        seen.add(name)
        return name

    def _accounts(self, label: str, kind: str, value: Any) -> dict[str, ProviderAccount] | None:
        if not isinstance(value, Mapping):
            self.fail(label, "accounts", "Expected an object: account kind → provider account name.")
            return None
        required = get_kind(kind).required_accounts
        errors: dict[str, list[ErrorDetail]] = {}
        accounts: dict[str, ProviderAccount] = {}
        for account_kind in sorted(set(value) | set(required), key=str):
            account_name = value.get(account_kind)
            if account_kind not in required:
                errors[str(account_kind)] = [
                    ErrorDetail(f"{kind} uses accounts of kinds: {', '.join(required)}.", code="invalid")
                ]
            elif account_name is None:
                errors[account_kind] = [ErrorDetail(f"{kind} needs a {account_kind} account.", "required")]
            elif not isinstance(account_name, str) or account_name not in self.accounts:
                errors[account_kind] = [
                    ErrorDetail(f"No provider account named {account_name!r} in this tenant.", "not_found")
                ]
            elif self.accounts[account_name].kind != account_kind:
                found = self.accounts[account_name].kind
                errors[account_kind] = [
                    ErrorDetail(
                        f"{account_name!r} is a {found} account, not a {account_kind} one.", "invalid"
                    )
                ]
            else:
                accounts[account_kind] = self.accounts[account_name]
        if errors:
            self.fail(label, "accounts", errors)
            return None
        return accounts


def read_declarations(tenant: Tenant, data: Any) -> list[Declared]:
    """Every declaration of a request body checked, or one `ValidationError` naming each bad field.

    Nothing changes here; the kind, account names, config schema and the rule that an applied
    integration keeps its accounts (`check_account_change`) are all checked before anything is saved.
    """
    return _Reader(tenant).read(as_list(data))
