"""A twilio_synthflow call's ladder from what Patchbay itself saw: its webhooks.

Patchbay sees no SIP of these calls. It sees Twilio's voice webhook request
(recorded by the Celery worker as a `voice_webhook` TwilioCallEvent, with the
TwiML it answered and whether prepare_inbound was asked), and the status
callbacks of the `<Dial><Sip>` leg (`sip_status` events: initiated, ringing,
in-progress, completed, with `SipResponseCode` when Twilio gives one). The
ladder draws those as arrows between Twilio, Patchbay and Synthflow, and the
legs between them that nobody reported to Patchbay (the caller's PSTN leg to
Twilio, Twilio's INVITE to Synthflow) as dashed hops marked "not observed":
they are known to exist (the webhook and the TwiML prove them) but their
messages and timing are not, so none are invented. One call per parent
CallSid; the `<Sip>` leg's own CallSid is among its legs.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

from django.db import transaction
from django.utils import timezone

from calls.choices import CallSource, Direction
from calls.fetch import FetchReport
from calls.grouping import CallDraft, LadderMessage
from calls.models import SipCall, SipMessageRecord
from calls.storing import message_rows
from integrations.models import TwilioCallEvent, TwilioEventKind

if TYPE_CHECKING:
    from integrations.models import Integration

CALLER, TWILIO, PATCHBAY = "Caller (PSTN)", "Twilio", "Patchbay webhook"
#: what a hop nobody reported to Patchbay says about itself
NOT_OBSERVED = "not observed"
#: Twilio's CallStatus of a `<Sip>` leg that ended without being answered → the SIP code it stands for
_STATUS_CODES = {"busy": 486, "no-answer": 480, "canceled": 487}
_REASONS = {
    401: "Synthflow did not accept Twilio's INVITE (401): the number's trunk credentials or allow list "
    "do not match what Twilio sends.",
    403: "Synthflow refused the call (403): Twilio's address or the number is not allowed.",
    404: "Synthflow does not know the number (404): it is not imported in Synthflow, or it is not bound "
    "to an inbound assistant.",
    408: "Synthflow did not answer Twilio's INVITE in time (408): it is unreachable from Twilio.",
    480: "Synthflow was reachable but nobody took the call (480): no assistant is attached or it is "
    "not ready.",
    486: "Synthflow declined the call as busy (486).",
    487: "The caller hung up before Synthflow answered (487).",
    488: "Synthflow accepts none of the codecs Twilio offered (488).",
    503: "Synthflow (or a proxy on the way) is overloaded, down, or has no route for the call (503).",
    603: "Synthflow declined the call (603).",
}


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def _dialled(twiml: str) -> tuple[str, str]:
    """(SIP URI without its headers, Synthflow's host) of the `<Dial><Sip>` in `twiml`, else ("", "")."""
    try:
        sip = ElementTree.fromstring(twiml).find("Dial/Sip")
    except ElementTree.ParseError:
        return "", ""
    if sip is None or not (sip.text or "").strip():
        return "", ""
    uri = (sip.text or "").strip()
    host = uri.split("@", 1)[-1].split("?", 1)[0].split(";", 1)[0].rsplit(":", 1)[0]
    return uri, host


def _x_headers(uri: str) -> dict[str, str]:
    return (
        {k: v for k, v in parse_qsl(urlsplit(uri).query) if k.lower().startswith("x-")} if "?" in uri else {}
    )


def _hop(at: datetime, src: str, dst: str, label: str, raw: Any, key: str, **details: Any) -> LadderMessage:
    text = raw if isinstance(raw, str) else json.dumps(raw, indent=2, sort_keys=True)
    failure = bool(details.pop("failure", False))
    direction = details.pop("direction", Direction.UNKNOWN)
    return LadderMessage(
        at=at,
        src=src,
        dst=dst,
        label=label,
        direction=direction,
        raw=text,
        headers=details,
        is_failure=failure,
        fingerprint=_fingerprint(key, label),
    )


def _final(statuses: list[TwilioCallEvent]) -> tuple[int | None, str]:
    """The SIP leg's final status and the reason in words, from its last status callback."""
    if not statuses:
        return None, ""
    last = statuses[-1].params
    status = str(last.get("CallStatus") or "")
    code_text = str(last.get("SipResponseCode") or "")
    code = int(code_text) if code_text.isdigit() else _STATUS_CODES.get(status)
    if status in ("completed", "in-progress", "answered") and (code is None or code < 300):
        return (code or 200), ""
    if code is None:
        return None, (
            f"Twilio reported the SIP leg {status or 'without a status'} and no SIP response code: "
            "Synthflow's answer is not known."
        )
    return code, _REASONS.get(code, f"Synthflow answered {code} (reported by Twilio as {status}).")


def draft_call(call_sid: str, webhook: TwilioCallEvent | None, statuses: list[TwilioCallEvent]) -> CallDraft:
    """One call's ladder from its webhook event (if recorded) and its `<Sip>` leg's status callbacks."""
    messages: list[LadderMessage] = []
    params = webhook.params if webhook else {}
    twiml = str(params.get("twiml") or "")
    uri, far = _dialled(twiml)
    far = far or next(
        (str(s.params.get("To") or "").split("@")[-1] for s in statuses if s.params.get("To")), ""
    )
    far = far or "Synthflow"
    code, reason = _final(statuses)
    if webhook is not None:
        at = webhook.at
        caller = str(params.get("From") or "the caller")
        messages.append(
            _hop(
                at - timedelta(microseconds=1),
                CALLER,
                TWILIO,
                f"call from {caller} ({NOT_OBSERVED})",
                f"The caller's leg to Twilio: {caller} → {params.get('To', '')}. Patchbay does not see "
                "this leg; Twilio's webhook request proves it.",
                f"{call_sid}:pstn",
                observed=False,
            )
        )
        request = {k: v for k, v in params.items() if k not in ("twiml", "outcome", "reason", "answered_at")}
        messages.append(
            _hop(
                at,
                TWILIO,
                PATCHBAY,
                "POST voice webhook",
                request,
                f"{call_sid}:webhook",
                direction=Direction.INBOUND,
            )
        )
        answered = _parse_time(params.get("answered_at")) or at
        if params.get("prepare_inbound"):
            messages.append(
                _hop(
                    at + (answered - at) / 2,
                    PATCHBAY,
                    "Synthflow API",
                    "prepare_inbound",
                    {"outcome": params.get("outcome"), "reason": params.get("reason", "")},
                    f"{call_sid}:prepare",
                    direction=Direction.OUTBOUND,
                    failure=params.get("outcome") == "fallback",
                )
            )
        label = "TwiML <Dial><Sip>" if uri else "TwiML fallback"
        messages.append(
            _hop(
                answered,
                PATCHBAY,
                TWILIO,
                label,
                twiml,
                f"{call_sid}:twiml",
                direction=Direction.OUTBOUND,
                failure=not uri,
                x_headers=_x_headers(uri),
            )
        )
        if uri:
            messages.append(
                _hop(
                    answered + timedelta(microseconds=1),
                    TWILIO,
                    far,
                    f"INVITE ({NOT_OBSERVED})",
                    f"Twilio's INVITE to {uri.split('?', 1)[0]}. Patchbay does not see Twilio's SIP; "
                    "the status callbacks below are what Twilio reported about it.",
                    f"{call_sid}:invite",
                    observed=False,
                    method="INVITE",
                    request_uri=uri.split("?", 1)[0],
                    x_headers=_x_headers(uri),
                )
            )
    for index, event in enumerate(statuses):
        status = str(event.params.get("CallStatus") or "")
        sip_code = str(event.params.get("SipResponseCode") or "")
        label = f"status {status}" + (f" (SIP {sip_code})" if sip_code else "")
        is_last = index == len(statuses) - 1
        messages.append(
            _hop(
                event.at,
                TWILIO,
                PATCHBAY,
                label,
                dict(event.params),
                f"{call_sid}:{event.pk}",
                direction=Direction.INBOUND,
                failure=is_last and code is not None and code >= 300,
            )
        )
    messages.sort(key=lambda m: m.at)
    hosts = [{"name": name, "aliases": ""} for name in _columns(messages)]
    legs = sorted({str(s.call_sid) for s in statuses if s.call_sid and s.call_sid != call_sid})
    if webhook is None:
        reason = (reason + " " if reason else "") + "Patchbay's record of the voice webhook is missing."
    return CallDraft(
        call_id=call_sid, messages=messages, hosts=hosts, legs=legs, final_status=code, reason=reason.strip()
    )


def _columns(messages: list[LadderMessage]) -> list[str]:
    order = [CALLER, TWILIO, PATCHBAY, "Synthflow API"]
    seen = {n for m in messages for n in (m.src, m.dst)}
    return [n for n in order if n in seen] + sorted(seen - set(order))


def _parse_time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def build_twilio_calls(
    integration: Integration, *, start: datetime | None = None, end: datetime | None = None
) -> FetchReport:
    """(Re)build the calls whose webhook or status events arrived in [start, end] and store them."""
    end = end or timezone.now()
    start = start or end - timedelta(minutes=15)
    report = FetchReport(log_group="Twilio webhooks")
    events = TwilioCallEvent.objects.filter(
        integration=integration, kind__in=[TwilioEventKind.VOICE_WEBHOOK, TwilioEventKind.SIP_STATUS]
    )
    recent = events.filter(at__gte=start, at__lte=end)
    parents = {e.params.get("ParentCallSid") or e.call_sid for e in recent if e.call_sid}
    if not parents:
        report.note = "No Twilio webhook or status callback arrived in the window."
        return report
    by_parent: dict[str, list[TwilioCallEvent]] = defaultdict(list)
    for event in events.order_by("at", "id"):
        parent = event.params.get("ParentCallSid") or event.call_sid
        if parent in parents:
            by_parent[parent].append(event)
    report.events = sum(len(v) for v in by_parent.values())
    for call_sid, rows in by_parent.items():
        webhook = next((r for r in rows if r.kind == TwilioEventKind.VOICE_WEBHOOK), None)
        statuses = [r for r in rows if r.kind == TwilioEventKind.SIP_STATUS]
        report.calls.append(_store(integration, draft_call(call_sid, webhook, statuses)))
    return report


def _store(integration: Integration, draft: CallDraft) -> SipCall:
    with transaction.atomic():
        call, _ = SipCall.objects.select_for_update().get_or_create(
            integration=integration,
            source=CallSource.TWILIO,
            call_id=draft.call_id[:255],
            defaults={
                "tenant_id": integration.tenant_id,
                "started_at": draft.started_at,
                "ended_at": draft.ended_at,
            },
        )
        call.hosts, call.legs = draft.hosts, draft.legs
        call.started_at, call.ended_at = draft.started_at, draft.ended_at
        call.final_status, call.reason = draft.final_status, draft.reason
        call.save()
        call.messages.all().delete()
        SipMessageRecord.objects.bulk_create(message_rows(call, draft))
    return call
