"""Storing calls: drafts grouped from a log, a vendor trace or an upload become SipCall rows with their
messages, idempotently (a call read twice is stored once, merged with what came later).

Below the readers (calls/fetch.py, calls/genesys_traces.py, calls/twilio_hops.py) and calls/actions.py,
which all store through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from calls import call_summary
from calls.choices import CallSource, Direction
from calls.grouping import CallDraft, ObservedMessage, Perspective, PseudoHop, build_call
from calls.models import SipCall, SipMessageRecord, SipTrace
from calls.sip_message import SipParseError, parse_sip_message
from monitoring import metrics

if TYPE_CHECKING:
    from integrations.models import Integration


def message_rows(call: SipCall, draft: CallDraft) -> list[SipMessageRecord]:
    return [
        SipMessageRecord(
            tenant_id=call.tenant_id,
            call=call,
            at=message.at,
            seq=index,
            src=message.src[:255],
            dst=message.dst[:255],
            label=message.label[:255],
            direction=message.direction,
            raw=message.raw,
            headers=message.headers,
            is_failure=message.is_failure,
            fingerprint=message.fingerprint,
        )
        for index, message in enumerate(draft.messages)
    ]


def apply_draft(call: SipCall, draft: CallDraft) -> None:
    call.hosts = draft.hosts
    call.legs = sorted(set(call.legs or []) | set(draft.legs))
    call.started_at, call.ended_at = draft.started_at, draft.ended_at
    call.final_status, call.reason = draft.final_status, draft.reason
    call.from_number, call.to_number = call_summary.parties(draft.messages)
    call.far_end = call_summary.far_end(draft.final_status, draft.messages)[:255]


#: rows per INSERT when storing a trace: a trace's raw messages add up to megabytes, so statements
#: stay a bounded size instead of one INSERT of every message
STORE_BATCH_SIZE = 500


@transaction.atomic
def store_uploaded_calls(trace: SipTrace, drafts: Sequence[CallDraft]) -> list[SipCall]:
    """New calls (no integration) for the drafts of one uploaded trace: a few INSERTs whatever the
    number of calls (the caps of calls.trace_reading bound the rows)."""
    stored: list[SipCall] = []
    for draft in drafts:
        call = SipCall(
            tenant_id=trace.tenant_id,
            trace=trace,
            integration=None,
            source=CallSource.UPLOAD,
            call_id=draft.call_id[:255],
        )
        apply_draft(call, draft)
        stored.append(call)
    SipCall.objects.bulk_create(stored, batch_size=STORE_BATCH_SIZE)
    rows = [row for call, draft in zip(stored, drafts, strict=True) for row in message_rows(call, draft)]
    SipMessageRecord.objects.bulk_create(rows, batch_size=STORE_BATCH_SIZE)
    return stored


def _stored_observations(call: SipCall) -> tuple[list[ObservedMessage], list[PseudoHop]]:
    """The messages already stored for a call, as observations again (to merge with new ones)."""
    observed: list[ObservedMessage] = []
    hops: list[PseudoHop] = []
    for row in call.messages.all():
        if row.direction == Direction.INTERNAL:
            hops.append(
                PseudoHop(
                    at=row.at,
                    src=row.src,
                    dst=row.dst,
                    label=row.label,
                    raw=row.raw,
                    fingerprint=row.fingerprint,
                    details=row.headers,
                    is_failure=row.is_failure,
                )
            )
            continue
        try:
            message = parse_sip_message(row.raw, lenient_body=True)
        except SipParseError:
            continue  # stored because it parsed once; a parser change must not lose the call
        observed.append(ObservedMessage(at=row.at, message=message, fingerprint=row.fingerprint))
    return observed, hops


def store_integration_calls(
    integration: Integration,
    source: str,
    observed: Iterable[ObservedMessage],
    *,
    view: Perspective | None = None,
    pseudo_hops: dict[str, list[PseudoHop]] | None = None,
    legs: dict[str, set[str]] | None = None,
) -> list[SipCall]:
    """Merge newly read messages into the integration's calls (by Call-ID); idempotent: the same
    message read twice (same fingerprint) is stored once, and the call's summary is recomputed."""
    by_call: dict[str, list[ObservedMessage]] = {}
    for item in observed:
        by_call.setdefault(item.message.call_id, []).append(item)
    hops = pseudo_hops or {}
    stored: list[SipCall] = []
    for call_id, items in by_call.items():
        with transaction.atomic():
            call, _created = SipCall.objects.select_for_update().get_or_create(
                integration=integration,
                source=source,
                call_id=call_id[:255],
                defaults={
                    "tenant_id": integration.tenant_id,
                    "started_at": items[0].at,
                    "ended_at": items[-1].at,
                },
            )
            old_messages, old_hops = _stored_observations(call)
            merged = _unique([*old_messages, *items])
            merged_hops = _unique_hops([*old_hops, *hops.get(call_id, [])])
            draft = build_call(call_id, merged, view, merged_hops)
            apply_draft(call, draft)
            call.legs = sorted(set(call.legs or []) | (legs or {}).get(call_id, set()))
            call.save()
            call.messages.all().delete()
            SipMessageRecord.objects.bulk_create(message_rows(call, draft))
        if _created:
            # Hang-up to ladder stored: the delay users wait before a call shows (issue 15: p50 within 15 s).
            delay = (timezone.now() - call.ended_at).total_seconds()
            metrics.LADDER_DELAY.labels(source).observe(max(delay, 0.0))
        stored.append(call)
    return stored


DECISION_ONLY_PREFIX = "sma-transaction:"


def store_decision_only_calls(
    integration: Integration, failed_alone: dict[str, list[PseudoHop]], view: Perspective
) -> list[SipCall]:
    """Calls made of nothing but the SMA Lambda's failed decisions (no SIP leg was logged), one per
    transaction; idempotent like `store_integration_calls`."""
    stored: list[SipCall] = []
    for transaction_id, hops in failed_alone.items():
        call_id = f"{DECISION_ONLY_PREFIX}{transaction_id}"[:255]
        with transaction.atomic():
            call, _ = SipCall.objects.select_for_update().get_or_create(
                integration=integration,
                source=CallSource.CLOUDWATCH,
                call_id=call_id,
                defaults={
                    "tenant_id": integration.tenant_id,
                    "started_at": hops[0].at,
                    "ended_at": hops[-1].at,
                },
            )
            _old, old_hops = _stored_observations(call)
            draft = build_call(call_id, [], view, _unique_hops([*old_hops, *hops]))
            apply_draft(call, draft)
            call.legs = sorted(set(call.legs or []) | {transaction_id})
            call.save()
            call.messages.all().delete()
            SipMessageRecord.objects.bulk_create(message_rows(call, draft))
        stored.append(call)
    return stored


def drop_decision_only_calls(integration: Integration, transaction_ids: Iterable[str]) -> int:
    """Remove the decision-only calls of transactions now joined to a SIP call (its log came late)."""
    call_ids = [f"{DECISION_ONLY_PREFIX}{t}"[:255] for t in transaction_ids]
    deleted, _ = SipCall.objects.filter(integration=integration, call_id__in=call_ids).delete()
    return deleted


def _unique(items: Iterable[ObservedMessage]) -> list[ObservedMessage]:
    seen: dict[str, ObservedMessage] = {}
    for item in items:
        seen.setdefault(item.fingerprint, item)
    return sorted(seen.values(), key=lambda o: o.at)


def _unique_hops(hops: Iterable[PseudoHop]) -> list[PseudoHop]:
    seen: dict[str, PseudoHop] = {}
    for hop in hops:
        seen.setdefault(hop.fingerprint, hop)
    return sorted(seen.values(), key=lambda h: h.at)
