"""Per-process cache of what the voice webhook needs per integration, secrets already decrypted.

DESIGN §6: a live call must not wait for an integration lookup or a Fernet
decryption, so the first request for a public id loads the integration and
its Twilio and Synthflow accounts (one query) and every later request is
answered from memory, with no SQL at all.

An entry is dropped when its integration or one of its accounts is saved or
deleted in this process (Django signals, after the transaction commits), and
is never served older than `WEBHOOK_CACHE_SECONDS`: a change made by another
process (a worker, another web process) is seen within that bound. The signal
receivers are connected when this module is imported, which is exactly the
set of processes that can hold entries.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from twilio.request_validator import RequestValidator

from integrations.choices import IntegrationKind, SynthflowRegion
from integrations.hooks import twiml
from integrations.models import Integration, ProviderAccount
from integrations.vendors.synthflow import SIP_HOSTS, SIP_PORT, SynthflowClient

logger = logging.getLogger(__name__)

# Entries are small (a few hundred bytes plus two secrets); this bounds memory if
# someone walks many valid public ids. The oldest entry goes first.
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class WebhookTarget:
    """Everything the voice webhook needs for one twilio_synthflow integration."""

    public_id: str
    integration_id: uuid.UUID
    tenant_id: int
    twilio_account_id: uuid.UUID
    synthflow_account_id: uuid.UUID
    twilio_number: str
    assistant_id: str
    workspace_id: str
    sip_host: str
    sip_port: int
    prepare_inbound: bool
    #: (Synthflow variable, Twilio parameter), as configured
    custom_variables: tuple[tuple[str, str], ...]
    #: (X- header, Twilio parameter), highest priority first
    sip_headers: tuple[tuple[str, str], ...]
    #: the fallback TwiML, rendered once
    fallback_twiml: str
    #: path of the `<Sip>` status callback (PUBLIC_BASE_URL is prefixed per request)
    status_path: str
    #: path of the `<Dial referUrl>` webhook that handles Synthflow's cold transfers (SIP REFER)
    refer_path: str
    #: the E.164 numbers a REFER may send the caller to
    transfer_targets: frozenset[str]
    loaded_at: float
    #: holds the decrypted Twilio auth token
    validator: RequestValidator = field(repr=False)
    #: holds the decrypted Synthflow API key; uses the process's pooled httpx client
    synthflow: SynthflowClient = field(repr=False)


_entries: dict[str, WebhookTarget] = {}
_lock = threading.Lock()


def get_target(public_id: str) -> WebhookTarget | None:
    """The cached target of `public_id`, loading it on a miss; None when there is no such
    twilio_synthflow integration (unknown ids are not cached)."""
    target = _entries.get(public_id)
    if target is not None and time.monotonic() - target.loaded_at < settings.WEBHOOK_CACHE_SECONDS:
        return target
    target = _load(public_id)
    with _lock:
        if target is None:
            _entries.pop(public_id, None)
            return None
        if len(_entries) >= MAX_ENTRIES and public_id not in _entries:
            _entries.pop(next(iter(_entries)))
        _entries[public_id] = target
    return target


def _load(public_id: str) -> WebhookTarget | None:
    integration = (
        Integration.objects.select_related("twilio_account", "synthflow_account")
        .filter(public_id=public_id, kind=IntegrationKind.TWILIO_SYNTHFLOW)
        .first()
    )
    if integration is None:
        return None
    twilio_account, synthflow_account = integration.twilio_account, integration.synthflow_account
    if twilio_account is None or synthflow_account is None:
        logger.warning(
            "twilio webhook %s: the integration lacks its %s account; refusing calls",
            public_id,
            "twilio" if twilio_account is None else "synthflow",
        )
        return None
    config: dict[str, Any] = integration.config or {}
    region = str(synthflow_account.settings.get("region") or SynthflowRegion.GLOBAL)
    return WebhookTarget(
        public_id=public_id,
        integration_id=integration.pk,
        tenant_id=integration.tenant_id,
        twilio_account_id=twilio_account.pk,
        synthflow_account_id=synthflow_account.pk,
        twilio_number=str(config.get("twilio_number", "")),
        assistant_id=str(config.get("synthflow_assistant_id", "")),
        workspace_id=str(synthflow_account.settings.get("workspace_id", "")),
        sip_host=SIP_HOSTS.get(region, SIP_HOSTS[SynthflowRegion.GLOBAL]),
        sip_port=SIP_PORT,
        prepare_inbound=bool(config.get("prepare_inbound")),
        custom_variables=tuple((str(k), str(v)) for k, v in (config.get("custom_variables") or {}).items()),
        sip_headers=tuple((str(k), str(v)) for k, v in (config.get("sip_headers") or {}).items()),
        fallback_twiml=twiml.fallback(config.get("fallback") or {}),
        status_path=reverse("twilio-status-webhook", kwargs={"public_id": public_id}),
        refer_path=reverse("twilio-refer-webhook", kwargs={"public_id": public_id}),
        transfer_targets=frozenset(str(n) for n in config.get("transfer_targets") or ()),
        loaded_at=time.monotonic(),
        validator=RequestValidator(twilio_account.read_secrets().get("auth_token", "")),
        synthflow=SynthflowClient(synthflow_account.read_secrets().get("api_key", ""), region),
    )


def forget(public_id: str) -> None:
    """Drop the entry of one integration."""
    with _lock:
        _entries.pop(public_id, None)


def forget_account(account_id: Any) -> None:
    """Drop every entry that uses provider account `account_id`."""
    with _lock:
        stale = [
            pid
            for pid, target in _entries.items()
            if account_id in (target.twilio_account_id, target.synthflow_account_id)
        ]
        for pid in stale:
            del _entries[pid]


def clear() -> None:
    """Drop every entry (settings changed, tests, benchmarks)."""
    with _lock:
        _entries.clear()


@receiver([post_save, post_delete], sender=Integration, dispatch_uid="webhook-cache-integration")
def _integration_changed(sender: type[Integration], instance: Integration, **kwargs: Any) -> None:
    # Drop now, and again after commit: a request between the save and the commit would
    # otherwise reload the old row and keep it for WEBHOOK_CACHE_SECONDS.
    public_id = instance.public_id
    forget(public_id)
    transaction.on_commit(lambda: forget(public_id))


@receiver([post_save, post_delete], sender=ProviderAccount, dispatch_uid="webhook-cache-account")
def _account_changed(sender: type[ProviderAccount], instance: ProviderAccount, **kwargs: Any) -> None:
    account_id = instance.pk
    forget_account(account_id)
    transaction.on_commit(lambda: forget_account(account_id))


@receiver(setting_changed, dispatch_uid="webhook-cache-settings")
def _settings_changed(setting: str, **kwargs: Any) -> None:
    # Vendor base URLs and keys are baked into cached clients.
    if setting in {"SYNTHFLOW_BASE_URL", "FERNET_KEYS", "WEBHOOK_CACHE_SECONDS"}:
        clear()
