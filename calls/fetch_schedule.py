"""Which integrations' connector logs to read on a periodic tick, and from where.

A call's ladder should be in Patchbay within 60 seconds of its end (issue 8):
integrations with a call in the last `CALLS_ACTIVE_WINDOW_SECONDS` are read on
every tick (`CELERY_BEAT_SCHEDULE["fetch-recent-calls"]`, every 10 s), the others every
`CALLS_IDLE_FETCH_SECONDS`. Each read starts `CALLS_LOG_OVERLAP_SECONDS` before
where the last one stopped, because CloudWatch delivers events late; storing is
idempotent, so overlap costs nothing but the read.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from calls.fetch import FetchReport, fetch_calls
from calls.models import CallLogCursor, SipCall
from integrations.choices import IntegrationKind
from integrations.models import Integration, ResourceNode
from integrations.vendors.errors import VendorError

#: kinds whose calls cross a Chime Voice Connector (with a SIP log group)
CONNECTOR_KINDS = (IntegrationKind.CONNECT_VAPI, IntegrationKind.CONNECT_SYNTHFLOW)
FIRST_FETCH_WINDOW = timedelta(minutes=15)


def due_integration_ids() -> list[str]:
    """Integrations with a connector whose log should be read now."""
    now = timezone.now()
    with_connector = ResourceNode.objects.filter(node="voice_connector").exclude(external_id="")
    candidates = Integration.objects.filter(
        kind__in=CONNECTOR_KINDS, deleting=False, pk__in=with_connector.values("integration_id")
    ).values_list("pk", flat=True)
    active_since = now - timedelta(seconds=settings.CALLS_ACTIVE_WINDOW_SECONDS)
    idle_before = now - timedelta(seconds=settings.CALLS_IDLE_FETCH_SECONDS)
    recent = set(
        SipCall.objects.filter(integration_id__in=candidates)
        .values("integration_id")
        .annotate(last=Max("ended_at"))
        .filter(last__gte=active_since)
        .values_list("integration_id", flat=True)
    )
    fetched = dict(
        CallLogCursor.objects.filter(integration_id__in=candidates).values_list(
            "integration_id", "fetched_at"
        )
    )
    return [
        str(pk) for pk in candidates if pk in recent or fetched.get(pk) is None or fetched[pk] <= idle_before
    ]


def fetch_since_cursor(integration: Integration) -> FetchReport:
    """Read the integration's log from its cursor (less the overlap) to now, and move the cursor."""
    now = timezone.now()
    cursor = CallLogCursor.objects.filter(integration=integration).first()
    overlap = timedelta(seconds=settings.CALLS_LOG_OVERLAP_SECONDS)
    start = cursor.fetched_until - overlap if cursor else now - FIRST_FETCH_WINDOW
    try:
        report = fetch_calls(integration, start=start, end=now)
    except VendorError as error:
        # Keep the cursor where it was (nothing was read) and say why on it; the next tick retries
        # after the idle interval instead of hammering an account whose role or quota is failing.
        CallLogCursor.objects.update_or_create(
            integration=integration,
            defaults={
                "tenant_id": integration.tenant_id,
                "fetched_until": cursor.fetched_until if cursor else start,
                "fetched_at": now,
                "last_note": f"Reading the SIP log failed: {error}"[:1000],
            },
        )
        raise
    CallLogCursor.objects.update_or_create(
        integration=integration,
        defaults={
            "tenant_id": integration.tenant_id,
            "fetched_until": now,
            "fetched_at": now,
            "last_note": report.note,
        },
    )
    return report
