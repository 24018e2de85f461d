"""Every change of alert state: destinations, raising an alert (debounced), deliveries' outcomes."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alerts.choices import AlertEvent, AlertsAuditAction, DestinationKind
from alerts.delivery import Alert, check_webhook_url, masked_url
from alerts.models import AlertDebounce, AlertDestination
from alerts.tasks import deliver_alert_task
from integrations.encryption import encrypt_secrets
from monitoring import metrics
from tenants.audit import Actor, record_audit

if TYPE_CHECKING:
    from tenants.models import Tenant

logger = logging.getLogger(__name__)


@transaction.atomic
def create_destination(
    tenant: Tenant, *, name: str, kind: str, target: str, events: list[str], actor: Actor
) -> tuple[AlertDestination, str]:
    """Save a destination; (destination, signing secret) — the secret is shown once, webhooks only.

    A webhook URL is checked against the private-target rule now, and again before each send."""
    signing_secret = ""
    ciphertext = ""
    shown = target
    if kind == DestinationKind.WEBHOOK:
        check_webhook_url(target)
        signing_secret = secrets.token_urlsafe(32)
        ciphertext = encrypt_secrets({"url": target, "signing_secret": signing_secret})
        shown = masked_url(target)
    destination = AlertDestination.objects.create(
        tenant=tenant, name=name, kind=kind, target=shown, events=events, secrets_ciphertext=ciphertext
    )
    record_audit(
        actor,
        AlertsAuditAction.DESTINATION_CREATED,
        destination,
        diff={"name": [None, name], "kind": [None, kind], "target": [None, shown], "events": [None, events]},
    )
    return destination, signing_secret


@transaction.atomic
def delete_destination(destination: AlertDestination, *, actor: Actor) -> None:
    """Remove a destination; alerts stop going there."""
    record_audit(
        actor,
        AlertsAuditAction.DESTINATION_DELETED,
        destination,
        diff={"name": [destination.name, None], "target": [destination.target, None]},
    )
    destination.delete()


def _queue(destination: AlertDestination, alert: Alert) -> None:

    payload = alert.as_dict()
    transaction.on_commit(lambda: deliver_alert_task.delay(destination.pk, payload))


def send_test_alert(destination: AlertDestination, *, actor: Actor) -> None:
    """Queue a test alert to one destination (never debounced)."""
    alert = Alert(
        AlertEvent.TEST,
        f"Test alert from Patchbay ({destination.tenant.slug})",
        f"{actor.label} asked for a test of the destination “{destination.name}”.",
    )
    with transaction.atomic():
        record_audit(
            actor, AlertsAuditAction.TEST_SENT, destination, diff={"destination": [None, destination.name]}
        )
        _queue(destination, alert)


def _debounced(tenant_id: int, key: str, value: str) -> bool:
    """True if an alert about `key` went out within ALERT_DEBOUNCE_SECONDS; else note one goes now."""
    now = timezone.now()
    with transaction.atomic():
        row, _ = AlertDebounce.objects.select_for_update().get_or_create(tenant_id=tenant_id, key=key[:200])
        quiet_since = now - timedelta(seconds=settings.ALERT_DEBOUNCE_SECONDS)
        if row.last_sent_at is not None and row.last_sent_at > quiet_since:
            return True
        row.last_sent_at, row.last_value = now, value[:32]
        row.save(update_fields=["last_sent_at", "last_value"])
    return False


def remember_value(tenant_id: int, key: str, value: str) -> str:
    """Store the latest value of `key` (e.g. an integration's health); returns the one before ('' if none)."""
    with transaction.atomic():
        row, _ = AlertDebounce.objects.select_for_update().get_or_create(tenant_id=tenant_id, key=key[:200])
        before = row.last_value
        if before != value:
            row.last_value = value[:32]
            row.save(update_fields=["last_value"])
    return before


def raise_alert(tenant_id: int, alert: Alert, *, key: str) -> int:
    """Queue `alert` to each of the tenant's destinations that want its event, unless an alert about
    `key` went out within ALERT_DEBOUNCE_SECONDS; returns how many deliveries were queued."""
    destinations = [
        d for d in AlertDestination.objects.filter(tenant_id=tenant_id) if alert.event in (d.events or [])
    ]
    if not destinations:
        return 0
    if _debounced(tenant_id, f"sent:{key}", alert.event):
        metrics.ALERTS.labels("any", "debounced").inc()
        logger.info("alert %s about %s debounced", alert.event, key)
        return 0
    for destination in destinations:
        _queue(destination, alert)
    return len(destinations)
