"""Which integrations' call logs to read on a periodic tick, and from where.

Per kind (`fetch_for_kind`): a Voice Connector's SIP log in CloudWatch (connect_*),
Genesys Cloud's SIP trace search (genesys_synthflow, calls/genesys_traces.py), or
what Twilio told Patchbay's own webhooks (twilio_synthflow, calls/twilio_hops.py).

A call's ladder should be in Patchbay within 60 seconds of its end (issue 8):
integrations with a call in the last `CALLS_ACTIVE_WINDOW_SECONDS` are read on
every tick (`CELERY_BEAT_SCHEDULE["fetch-recent-calls"]`, every 10 s), the others every
`CALLS_IDLE_FETCH_SECONDS`. Each read starts `CALLS_LOG_OVERLAP_SECONDS` before
where the last one stopped, because CloudWatch delivers events late; storing is
idempotent, so overlap costs nothing but the read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from calls.fetch import FetchReport, fetch_calls
from calls.genesys_traces import fetch_genesys_calls
from calls.models import CallLogCursor, SipCall
from calls.twilio_hops import build_twilio_calls
from integrations.choices import IntegrationKind
from integrations.models import Integration, ResourceNode
from integrations.vendors.errors import VendorError

#: kinds whose calls cross a Chime Voice Connector (with a SIP log group)
CONNECTOR_KINDS = (IntegrationKind.CONNECT_VAPI, IntegrationKind.CONNECT_SYNTHFLOW)
#: per other kind, the blueprint node that must exist before its calls can be read
SOURCE_NODES = {
    IntegrationKind.GENESYS_SYNTHFLOW: "trunk",
    IntegrationKind.TWILIO_SYNTHFLOW: "twilio_voice",
}
FIRST_FETCH_WINDOW = timedelta(minutes=15)


def fetch_for_kind(integration: Integration, start: datetime, end: datetime) -> FetchReport:
    """Read the integration's calls in [start, end] from wherever its kind's calls are logged."""
    if integration.kind == IntegrationKind.GENESYS_SYNTHFLOW:
        return fetch_genesys_calls(integration, start=start, end=end)
    if integration.kind == IntegrationKind.TWILIO_SYNTHFLOW:
        return build_twilio_calls(integration, start=start, end=end)
    return fetch_calls(integration, start=start, end=end)


def due_integration_ids() -> list[str]:
    """Integrations whose call log (connector log, Genesys trace, Twilio events) should be read now."""
    now = timezone.now()
    created = ResourceNode.objects.exclude(external_id="")
    with_source = Q(
        kind__in=CONNECTOR_KINDS,
        pk__in=created.filter(node="voice_connector").values("integration_id"),
    )
    for kind, node in SOURCE_NODES.items():
        with_source |= Q(kind=kind, pk__in=created.filter(node=node).values("integration_id"))
    candidates = Integration.objects.filter(with_source, deleting=False).values_list("pk", flat=True)
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
        report = fetch_for_kind(integration, start, now)
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
