"""Which integrations' call logs to read on a periodic tick, and from where.

Per kind (`fetch_for_kind`): a Voice Connector's SIP log in CloudWatch (connect_*),
Genesys Cloud's SIP trace search (genesys_synthflow, calls/genesys_traces.py), or
what Twilio told Patchbay's own webhooks (twilio_synthflow, calls/twilio_hops.py).

How soon a call's ladder is in Patchbay after its hang-up (issue 15, "Ladder latency"):
the beat (`CELERY_BEAT_SCHEDULE["fetch-recent-calls"]`) ticks every 5 s; an integration
with a call in the last `CALLS_ACTIVE_WINDOW_SECONDS` is read every
`CALLS_ACTIVE_FETCH_SECONDS` (10 s), the others every `CALLS_IDLE_FETCH_SECONDS` (15 s).
So a call is read at most 15 s (plus a tick's lateness and the read itself) after its
last message reached the log: bench/bench_ladder_latency.py measured, for an idle
integration's call, p50 8.3 s and max 12.6 s from hang-up to complete ladder in the API
(README "Ladder latency"). Was: 10 s tick, 45 s idle interval, so up to 55 s.

Why intervals and not a live trigger: Patchbay sees nothing of a connect_* call live
(the SMA Lambda and the connector only write CloudWatch logs), so only reading
sooner helps. The price is vendor reads: each connect_* read is two FilterLogEvents
calls (SIP log, SMA Lambda log), so an idle integration costs 8 calls a minute and an
active one 12, against CloudWatch Logs' FilterLogEvents quota of 5 per second per
account and Region, not raisable (AWS knowledge center "cloudwatch-logs-throttling"):
300 a minute, so ~37 idle integrations on one account and Region.
A due check allows half a tick of slack, so a 15 s interval on a 5 s tick reads every
15 s, not every 20.

A ladder read before the call settled is shown as such (calls/settling.py).
Each read starts `CALLS_LOG_OVERLAP_SECONDS` before where the last one stopped,
because CloudWatch delivers events late; storing is idempotent, so overlap costs
nothing but the read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from calls.fetch import FetchReport, fetch_calls
from calls.genesys_traces import fetch_genesys_calls
from calls.models import CallLogCursor, SipCall
from calls.twilio_hops import build_twilio_calls
from integrations.choices import CallsLog
from integrations.kinds import KINDS, get_kind
from integrations.models import Integration, ResourceNode
from integrations.vendors.errors import VendorError

#: the reader of each place calls are logged (each kind says which is its own: `CALLS_LOG`)
READERS: dict[str, Callable[..., FetchReport]] = {
    CallsLog.VOICE_CONNECTOR: fetch_calls,
    CallsLog.GENESYS_TRACE: fetch_genesys_calls,
    CallsLog.TWILIO_WEBHOOKS: build_twilio_calls,
}
FIRST_FETCH_WINDOW = timedelta(minutes=15)


def fetch_for_kind(integration: Integration, start: datetime, end: datetime) -> FetchReport:
    """Read the integration's calls in [start, end] from wherever its kind's calls are logged."""
    return READERS[get_kind(integration.kind).CALLS_LOG](integration, start=start, end=end)


def due_integration_ids() -> list[str]:
    """Integrations whose call log (connector log, Genesys trace, Twilio events) should be read now."""
    now = timezone.now()
    created = ResourceNode.objects.exclude(external_id="")
    # Each kind's calls can be read once the node its log belongs to exists (the Voice Connector, ...).
    with_source = Q()
    for kind, module in KINDS.items():
        source = created.filter(node=module.CALLS_LOG_NODE).values("integration_id")
        with_source |= Q(kind=kind, pk__in=source)
    candidates = Integration.objects.filter(with_source, deleting=False).values_list("pk", flat=True)
    active_since = now - timedelta(seconds=settings.CALLS_ACTIVE_WINDOW_SECONDS)
    slack = timedelta(seconds=fetch_tick_seconds() / 2)
    active_before = now - timedelta(seconds=settings.CALLS_ACTIVE_FETCH_SECONDS) + slack
    idle_before = now - timedelta(seconds=settings.CALLS_IDLE_FETCH_SECONDS) + slack
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
    due = []
    for pk in candidates:
        last = fetched.get(pk)
        if last is None or last <= (active_before if pk in recent else idle_before):
            due.append(str(pk))
    return due


def fetch_tick_seconds() -> float:
    """The beat's period for `calls.fetch_recent_calls`, in seconds."""
    return float(settings.CELERY_BEAT_SCHEDULE["fetch-recent-calls"]["schedule"])


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
