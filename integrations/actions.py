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

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from rest_framework.exceptions import ValidationError

# Provider accounts' actions live in account_actions.py, re-exported here: callers use `actions.` for both.
from integrations.account_actions import (
    ACCOUNT_NAME_MAX_LENGTH as ACCOUNT_NAME_MAX_LENGTH,
)
from integrations.account_actions import (
    create_provider_account as create_provider_account,
)
from integrations.account_actions import (
    delete_provider_account as delete_provider_account,
)
from integrations.account_actions import (
    update_provider_account as update_provider_account,
)
from integrations.action_checks import FieldErrors, check_choice
from integrations.choices import AccountKind, IntegrationKind, Policy
from integrations.engine import runs as engine_runs
from integrations.integration_checks import check_account_change, check_vendor_ids, reference_problems
from integrations.kinds import get_kind
from integrations.models import Integration, ProviderAccount
from integrations.models.engine import Run, RunKind
from integrations.models.integration import NAME_MAX_LENGTH, validate_integration_name
from integrations.tasks import queue_run
from tenants.audit import Actor, diff_fields, record_audit
from tenants.choices import AuditAction
from tenants.exceptions import Conflict
from tenants.models import Tenant

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
    check_choice("kind", kind, IntegrationKind)
    errors = FieldErrors()
    errors.check(check_choice, "policy", policy, Policy)
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
    errors = FieldErrors()
    if policy is not None:
        errors.check(check_choice, "policy", policy, Policy)
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
