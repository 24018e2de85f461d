"""Every change to provider accounts and integrations, audited in the same transaction.

For the dashboard (views, forms, commands and tests call these, never `.save()`).
They raise DRF `ValidationError` keyed by field (nested for `settings`, `secrets`,
`accounts`, `config`), `PermissionDenied` or `tenants.exceptions.Conflict`:

    create_provider_account(tenant, *, name: str, kind: str, settings: dict, secrets: dict,
                            actor: Actor) -> ProviderAccount
    update_provider_account(account, *, actor: Actor, name: str | None = None,
                            settings: dict | None = None,
                            secrets: dict | None = None) -> ProviderAccount
        # secrets: only the names given are replaced; settings: replaced as a whole
    delete_provider_account(account, *, actor: Actor) -> None  # Conflict if an integration uses it
    create_integration(tenant, *, name: str, kind: str, accounts: {account kind: ProviderAccount},
                       config: dict, actor: Actor, policy: str = "heal") -> Integration
    update_integration(integration, *, actor: Actor, accounts: dict | None = None,
                       config: dict | None = None, policy: str | None = None) -> Integration
    plan_integration(integration, *, actor) -> (Run, plan)  # observe + diff, nothing changes;
        # plan["problems"]: {"config.<field>": [...]} vendor ids the accounts do not have
    apply_integration / reconcile_integration(integration, *, actor) -> Run  # queued (or the active run)
    teardown_integration(integration, *, actor) -> Run  # deleting=True; the row goes after every resource
    request_teardown(integration, *, actor) -> Run  # the same, for the dashboard's and API's delete
    rotate_secrets() -> RotationReport  # in integrations.rotation (secrets at rest)

Validation without saving: `integrations.kinds.get_kind(kind).validate_config(data)`,
`integrations.account_settings.validate_settings(kind, data)` / `validate_secrets(...)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from rest_framework.exceptions import ValidationError

from integrations.account_settings import READ_ONLY_SETTINGS, validate_secrets, validate_settings
from integrations.choices import AccountKind, IntegrationKind, Policy
from integrations.engine import runs as engine_runs
from integrations.integration_checks import check_account_change, check_vendor_ids, reference_problems
from integrations.kinds import get_kind
from integrations.models import ACCOUNT_FIELDS, Integration, ProviderAccount
from integrations.models.engine import Run, RunKind
from integrations.models.integration import NAME_MAX_LENGTH, validate_integration_name
from integrations.tasks import queue_run
from tenants.audit import MASK, Actor, diff_fields, record_audit
from tenants.choices import AuditAction
from tenants.exceptions import Conflict
from tenants.models import Tenant

ACCOUNT_NAME_MAX_LENGTH = 100
#: STS's ExternalId characters (botocore sts model), at most what the model's column holds
EXTERNAL_ID_PATTERN = re.compile(r"^[\w+=,.@:/-]{2,64}$")
T = TypeVar("T")


class _Errors:
    """Runs several checks and raises one ValidationError with all their field errors."""

    def __init__(self) -> None:
        self.detail: dict[str, Any] = {}

    def check(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            self.detail.update(
                exc.detail if isinstance(exc.detail, Mapping) else {"non_field_errors": exc.detail}
            )
            return None

    def raise_any(self) -> None:
        if self.detail:
            raise ValidationError(self.detail)


# --- provider accounts -------------------------------------------------------


def _check_choice(field_name: str, value: str, choices: type[models.TextChoices]) -> None:
    if value not in choices.values:
        raise ValidationError({field_name: [f"{value!r} is not one of: {', '.join(choices.values)}."]})


def _check_account_name(tenant: Tenant, name: str, exclude_pk: Any = None) -> str:
    name = (name or "").strip()
    if not name or len(name) > ACCOUNT_NAME_MAX_LENGTH:
        raise ValidationError({"name": [f"Give a name of 1-{ACCOUNT_NAME_MAX_LENGTH} characters."]})
    taken = ProviderAccount.objects.for_tenant(tenant).filter(name=name).exclude(pk=exclude_pk).exists()
    if taken:
        raise ValidationError({"name": ["A provider account with this name already exists."]})
    return name


def _clean_settings(kind: str, data: object, external_id: str = "") -> dict[str, Any]:
    """Settings validated for `kind`; read-only keys (AWS external_id) may only repeat their value."""
    if isinstance(data, Mapping):
        data = dict(data)
        for name in READ_ONLY_SETTINGS.get(kind, ()):
            if name in data and data.pop(name) != external_id:
                raise ValidationError({"settings": {name: ["Generated by Patchbay; it cannot be set."]}})
    try:
        return validate_settings(kind, data)
    except ValidationError as exc:
        raise ValidationError({"settings": exc.detail}) from exc


def _checked_secrets(kind: str, data: object, *, partial: bool) -> dict[str, str]:
    try:
        return validate_secrets(kind, data, partial=partial)
    except ValidationError as exc:
        raise ValidationError({"secrets": exc.detail}) from exc


def _secret_diff(names_before: list[str], changed: Mapping[str, str]) -> dict[str, list[str | None]]:
    return {f"secrets.{name}": [MASK if name in names_before else None, MASK] for name in sorted(changed)}


@transaction.atomic
def create_provider_account(
    tenant: Tenant,
    *,
    name: str,
    kind: str,
    settings: Mapping[str, Any],
    secrets: Mapping[str, str],
    actor: Actor,
    external_id: str = "",
) -> ProviderAccount:
    """A new provider account with its settings and (encrypted) secrets.

    `external_id` (AWS): the one the "New AWS account" page showed before the role existed
    (aws_onboarding.py); without it one is generated.
    """
    _check_choice("kind", kind, AccountKind)
    if external_id and (kind != AccountKind.AWS or not EXTERNAL_ID_PATTERN.match(external_id)):
        raise ValidationError(
            {"external_id": ["Only an AWS account has an external id: 2-64 letters, digits or +=,.@:/-_."]}
        )
    errors = _Errors()
    checked_name = errors.check(_check_account_name, tenant, name)
    clean_settings = errors.check(_clean_settings, kind, settings)
    clean_secrets = errors.check(_checked_secrets, kind, secrets, partial=False)
    errors.raise_any()
    assert checked_name is not None
    name = checked_name
    assert clean_settings is not None
    assert clean_secrets is not None
    account = ProviderAccount(
        tenant=tenant, name=name, kind=kind, settings=clean_settings, external_id=external_id
    )
    account.set_secrets(clean_secrets)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:  # a concurrent create with the same name
        raise ValidationError({"name": ["A provider account with this name already exists."]}) from exc
    diff: dict[str, Any] = {"name": [None, name], "kind": [None, kind], "settings": [None, clean_settings]}
    diff.update(_secret_diff([], clean_secrets))
    record_audit(actor, AuditAction.ACCOUNT_CREATED, account, diff=diff)
    return account


@transaction.atomic
def update_provider_account(
    account: ProviderAccount,
    *,
    actor: Actor,
    name: str | None = None,
    settings: Mapping[str, Any] | None = None,
    secrets: Mapping[str, str] | None = None,
) -> ProviderAccount:
    """Change an account's name, settings (as a whole) and/or some of its secrets."""
    account = ProviderAccount.objects.select_for_update().select_related("tenant").get(pk=account.pk)
    before = {"name": account.name, "settings": account.settings}
    errors = _Errors()
    if name is not None:
        # None only with an error, which raise_any() below raises
        account.name = (
            errors.check(_check_account_name, account.tenant, name, exclude_pk=account.pk) or account.name
        )
    if settings is not None:
        account.settings = errors.check(_clean_settings, account.kind, settings, account.external_id)
    changed = errors.check(_checked_secrets, account.kind, secrets or {}, partial=True)
    errors.raise_any()
    diff: dict[str, Any] = diff_fields(before, {"name": account.name, "settings": account.settings})
    if changed:
        current = account.read_secrets()
        changed = {k: v for k, v in changed.items() if current.get(k) != v}
        if changed:
            diff.update(_secret_diff(account.secret_names, changed))
            account.set_secrets({**current, **changed})
    if not diff:
        return account
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise ValidationError({"name": ["A provider account with this name already exists."]}) from exc
    record_audit(actor, AuditAction.ACCOUNT_UPDATED, account, diff=diff)
    return account


@transaction.atomic
def delete_provider_account(account: ProviderAccount, *, actor: Actor) -> None:
    """Delete an account that no integration uses."""
    account = ProviderAccount.objects.select_for_update().get(pk=account.pk)
    users = list(
        Integration.objects.filter(**{ACCOUNT_FIELDS[account.kind]: account}).values_list("name", flat=True)
    )
    if users:
        raise Conflict(
            f"The account is used by integration(s) {', '.join(sorted(users))}; change or delete them first.",
            code="account_in_use",
        )
    record_audit(
        actor,
        AuditAction.ACCOUNT_DELETED,
        account,
        diff={"name": [account.name, None], "kind": [account.kind, None]},
    )
    account.delete()


# --- integrations ------------------------------------------------------------


def _check_integration_name(tenant: Tenant, name: str) -> str:
    errors: list[str] = []
    if not name or len(name) > NAME_MAX_LENGTH:
        errors.append(f"Give a name of 1-{NAME_MAX_LENGTH} characters.")
    else:
        try:
            validate_integration_name(name)
        except DjangoValidationError as exc:
            errors.extend(exc.messages)
    if not errors and Integration.objects.for_tenant(tenant).filter(name=name).exists():
        errors.append("An integration with this name already exists.")
    if errors:
        raise ValidationError({"name": errors})
    return name


def _label(choices: type[models.TextChoices], value: str) -> str:
    """The words users read for a choice ("AWS", "Amazon Connect → Vapi"), never its slug."""
    return str(choices(value).label) if value in choices.values else value


def _a(noun: str) -> str:
    """`noun` with its indefinite article, as it is said: "an AWS", "a Twilio"."""
    return f"an {noun}" if noun[:1].upper() in "AEIO" else f"a {noun}"


def _check_accounts(tenant: Tenant, kind: str, accounts: Mapping[str, ProviderAccount]) -> None:
    """Exactly the accounts the kind needs, each of the right kind and of this tenant."""
    required = get_kind(kind).required_accounts
    errors: dict[str, list[str]] = {}
    kind_label = _label(IntegrationKind, kind)
    needed = " and ".join(_a(_label(AccountKind, k)) + " account" for k in required)
    for account_kind in sorted(set(accounts) - set(required)):
        errors[account_kind] = [
            f"{kind_label} integrations do not use {_a(_label(AccountKind, account_kind))} account; "
            f"they need {needed}."
        ]
    for account_kind in required:
        account = accounts.get(account_kind)
        name = _label(AccountKind, account_kind)
        if account is None:
            errors[account_kind] = [f"{kind_label} integrations need {_a(name)} account."]
        elif account.tenant_id != tenant.pk or account.kind != account_kind:
            errors[account_kind] = [f"No {name} account with id {account.pk} in this tenant."]
    if errors:
        raise ValidationError({"accounts": errors})


def _checked_config(kind: str, config: object) -> dict[str, Any]:
    try:
        return get_kind(kind).validate_config(config)
    except ValidationError as exc:
        raise ValidationError({"config": exc.detail}) from exc


def _state(integration: Integration) -> dict[str, Any]:
    state: dict[str, Any] = {"policy": integration.policy}
    state.update({f"accounts.{k}": v for k, v in integration.account_ids().items()})
    state.update({f"config.{k}": v for k, v in integration.config.items()})
    return state


@transaction.atomic
def create_integration(
    tenant: Tenant,
    *,
    name: str,
    kind: str,
    accounts: Mapping[str, ProviderAccount],
    config: Mapping[str, Any],
    actor: Actor,
    policy: str = Policy.HEAL,
) -> Integration:
    """A new integration of `kind` with its accounts and validated config (nothing provisioned yet)."""
    _check_choice("kind", kind, IntegrationKind)
    errors = _Errors()
    errors.check(_check_choice, "policy", policy, Policy)
    errors.check(_check_integration_name, tenant, name)
    errors.check(_check_accounts, tenant, kind, accounts)
    clean_config = errors.check(_checked_config, kind, config)
    errors.raise_any()
    assert clean_config is not None
    check_vendor_ids(kind, accounts, clean_config)
    integration = Integration(tenant=tenant, name=name, kind=kind, config=clean_config, policy=policy)
    integration.set_accounts(dict(accounts))
    try:
        with transaction.atomic():
            integration.save()
    except IntegrityError as exc:
        raise ValidationError({"name": ["An integration with this name already exists."]}) from exc
    diff = {"name": [None, name], "kind": [None, kind]}
    diff.update(diff_fields({}, _state(integration)))
    record_audit(actor, AuditAction.INTEGRATION_CREATED, integration, diff=diff)
    return integration


@transaction.atomic
def update_integration(
    integration: Integration,
    *,
    actor: Actor,
    accounts: Mapping[str, ProviderAccount] | None = None,
    config: Mapping[str, Any] | None = None,
    policy: str | None = None,
) -> Integration:
    """Change an integration's accounts, config (as a whole) and/or policy; name and kind are fixed."""
    integration = Integration.objects.select_for_update().select_related("tenant").get(pk=integration.pk)
    before = _state(integration)
    errors = _Errors()
    if policy is not None:
        errors.check(_check_choice, "policy", policy, Policy)
    if accounts is not None:
        errors.check(_check_accounts, integration.tenant, integration.kind, accounts)
        if not errors.detail:
            errors.check(check_account_change, integration, accounts)
    clean_config = None if config is None else errors.check(_checked_config, integration.kind, config)
    errors.raise_any()
    if policy is not None:
        integration.policy = policy
    if accounts is not None:
        integration.set_accounts(dict(accounts))
    if clean_config is not None:
        integration.config = clean_config
    diff = diff_fields(before, _state(integration))
    if not diff:
        return integration
    if any(key.startswith(("accounts.", "config.")) for key in diff):
        linked = {kind: integration.account(kind) for kind in get_kind(integration.kind).required_accounts}
        check_vendor_ids(integration.kind, {k: a for k, a in linked.items() if a}, integration.config)
    integration.save()
    record_audit(actor, AuditAction.INTEGRATION_UPDATED, integration, diff=diff)
    return integration


# --- the engine: plan, apply, reconcile, teardown -----------------------------


def _run_diff(run: Run, created: bool) -> dict[str, Any]:
    return {"run": [None, run.pk], "queued": [None, created]}


def plan_integration(integration: Integration, *, actor: Actor) -> tuple[Run, dict[str, Any]]:
    """Observe every resource and diff it against the blueprint; nothing changes (kept as a plan run)."""
    run, plan = engine_runs.plan_integration(integration, requested_by=actor.user)
    problems = reference_problems(integration)
    if problems:
        # Apply would fail on these, after creating what comes before them: the plan says so.
        plan = {**plan, "problems": problems}
        run.plan = plan
        run.save(update_fields=["plan"])
    record_audit(actor, AuditAction.INTEGRATION_PLANNED, integration, diff={"run": [None, run.pk]})
    return run, plan


def _request(integration: Integration, kind: str, action: str, actor: Actor) -> Run:
    if integration.deleting and kind != RunKind.TEARDOWN:
        raise Conflict("This integration is being torn down; it cannot be applied or reconciled.")
    with transaction.atomic():
        run, created = engine_runs.request_run(integration, kind, enqueue=queue_run, requested_by=actor.user)
        record_audit(actor, action, integration, diff=_run_diff(run, created))
    return run


def apply_integration(integration: Integration, *, actor: Actor) -> Run:
    """Queue an apply (or return the integration's queued/running run).

    With `VENDOR_CHECKS_ON_SAVE`, an apply whose config names vendor objects the accounts do not
    have is refused (409) before anything is created: it would fail after creating the nodes
    that come first (issue 11, item 4).
    """
    if settings.VENDOR_CHECKS_ON_SAVE and not integration.deleting:
        problems = reference_problems(integration)
        if problems:
            listed = " ".join(f"{field}: {messages[0]}" for field, messages in sorted(problems.items()))
            raise Conflict(
                f"Nothing was applied: the configuration names vendor objects the accounts do not have. "
                f"{listed} Edit the integration first.",
                code="unknown_vendor_ids",
            )
    return _request(integration, RunKind.APPLY, AuditAction.INTEGRATION_APPLY_REQUESTED, actor)


def reconcile_integration(integration: Integration, *, actor: Actor) -> Run:
    """Queue a reconcile now (heals drift, or only records it under the `report` policy)."""
    return _request(integration, RunKind.RECONCILE, AuditAction.INTEGRATION_RECONCILE_REQUESTED, actor)


@transaction.atomic
def teardown_integration(integration: Integration, *, actor: Actor) -> Run:
    """Mark the integration as deleting and queue a teardown run; the row goes when every resource is gone.

    A queued or running apply is returned instead (one run at a time); teardown can be asked again after.
    """
    integration = Integration.objects.select_for_update().get(pk=integration.pk)
    if not integration.deleting:
        integration.deleting = True
        integration.save(update_fields=["deleting", "updated_at"])
    return _request(integration, RunKind.TEARDOWN, AuditAction.INTEGRATION_TEARDOWN_REQUESTED, actor)


def request_teardown(integration: Integration, *, actor: Actor) -> Run:
    """The dashboard's and API's delete: start a teardown run (DESIGN §2 finalizer)."""
    return teardown_integration(integration, actor=actor)
