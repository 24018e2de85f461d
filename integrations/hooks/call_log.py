"""The voice webhook's own record of each call (what Twilio asked, the TwiML answered), made durable
before the answer leaves and written by the Celery worker.

The webhook answers from memory with no SQL (DESIGN §6). Its record of a call
is queued before the TwiML is returned: with Redis, one `LPUSH` onto the
records list that workers drain in batches (integrations/hooks/record_queue.py);
without it (`make run`'s embedded broker), as one Celery task
(`integrations.record_voice_webhook`). Either way it lives in the broker's store
once queued, so a web process killed, restarted or redeployed right after
answering loses nothing, and the database write happens in the worker, off the
caller's path (issue 13, item 11). The worker writes each record once: a
redelivered task or a drain retried after a crash finds the row there already
(a repeated request is answered by integrations/hooks/replays.py and queues
nothing). With Redis, keeping the call's answer for repeats and queueing its
record are one round trip (`answer_once`). When the broker itself cannot take
the record, the call is still answered and the log says so (at most once a
minute).
calls/twilio_hops.py builds the call's ladder from these `voice_webhook` events
and the `<Sip>` status callbacks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from controlplane.log_values import loggable
from integrations.hooks import record_queue, replays
from integrations.hooks.cache import WebhookTarget
from integrations.hooks.live_call import CallAnswer

logger = logging.getLogger(__name__)

#: Twilio request parameters kept (the geo fields and legacy duplicates add nothing to a ladder)
KEPT_PARAMS = ("CallSid", "AccountSid", "From", "To", "CallStatus", "Direction", "ParentCallSid", "ErrorCode")
#: longest value kept per parameter (Twilio's own are short; anything longer was not sent by Twilio)
MAX_PARAM_LENGTH = 256
#: at most one warning per this many seconds for records the broker would not take
WARN_EVERY_SECONDS = 60.0

_last_warning = 0.0


def answer_once(
    target: WebhookTarget, params: Mapping[str, str], answer: CallAnswer, received_at: datetime
) -> CallAnswer:
    """The call's answer: `answer`, kept for Twilio's repeats with the call's record queued, or the
    answer a request for the same call got first (nothing queued). Never raises: when the store
    fails, the call is answered as new (replays.py) and its record may be lost (logged)."""
    call_sid = str(params.get("CallSid", ""))
    connection = record_queue.client()
    if connection is None or not replays.deduplicated(call_sid):
        # Django's cache keeps the answer (or nothing does): two steps, as they cannot share a trip.
        answer, first = replays.remember(target.public_id, call_sid, answer)
        if first:
            note_voice_request(target, params, answer, received_at, timezone.now())
        else:
            _asked_again(target, call_sid)
        return answer
    args = _record_args(target, params, answer, received_at, timezone.now())
    try:
        first, kept, drain = record_queue.answer_once(
            connection,
            replays.redis_key(target.public_id, call_sid),
            replays.encode(answer),
            settings.TWILIO_REPLAY_SECONDS,
            record_queue.encode(*args),
        )
    except Exception:  # the call matters more than its record
        _not_recorded(target, call_sid, "Redis refused its answer and record")
        return answer
    if not first:
        _asked_again(target, call_sid)
        return replays.decode(kept) or answer
    if drain:
        _schedule_drain(call_sid)
    return answer


def _asked_again(target: WebhookTarget, call_sid: str) -> None:
    logger.info("twilio webhook %s: call %s asked again; same answer", target.public_id, loggable(call_sid))


def _record_args(
    target: WebhookTarget,
    params: Mapping[str, str],
    answer: CallAnswer,
    received_at: datetime,
    answered_at: datetime,
) -> tuple[int, str, str, dict[str, Any], str]:
    """What the worker writes for the call (integrations/hooks/call_records.py `write_record`)."""
    call_sid = str(params.get("CallSid", ""))
    record: dict[str, Any] = {
        key: str(params[key])[:MAX_PARAM_LENGTH] for key in KEPT_PARAMS if key in params
    }
    record.update(
        outcome=str(answer.outcome),
        reason=answer.reason,
        twiml=answer.twiml,
        prepare_inbound=target.prepare_inbound,
        answered_at=answered_at.isoformat(),
    )
    return (target.tenant_id, str(target.integration_id), call_sid[:64], record, received_at.isoformat())


def note_voice_request(
    target: WebhookTarget,
    params: Mapping[str, str],
    answer: CallAnswer,
    received_at: datetime,
    answered_at: datetime,
) -> bool:
    """Publish the record of one answered voice request; never raises. False when the broker refused it."""
    from integrations.tasks import record_voice_webhook_task

    call_sid = str(params.get("CallSid", ""))
    args = _record_args(target, params, answer, received_at, answered_at)
    try:
        # One Redis round trip (integrations/hooks/record_queue.py); without Redis, a task of its own.
        queued = record_queue.push(*args)
        # retry=False: a broker that is down costs the caller one failed connect, not kombu's retries.
        if queued is None:
            record_voice_webhook_task.apply_async(args=list(args), retry=False)
    except Exception:  # the call matters more than its record
        _not_recorded(target, call_sid, "the broker refused the record")
        return False
    if queued:  # the first record since the last drain began: one drain for the batch
        _schedule_drain(call_sid)
    return True


def _schedule_drain(call_sid: str) -> None:
    """Queue the drain of a batch whose first record is `call_sid`'s (never raises)."""
    from integrations.tasks import drain_voice_records_task

    try:
        drain_voice_records_task.apply_async(countdown=record_queue.DRAIN_DELAY_SECONDS, retry=False)
    except Exception:  # the record is safe in Redis; the beat's drain writes it
        _warn(
            "twilio webhook: no drain queued for call %s; the beat's drain will write it",
            loggable(call_sid),
        )


def _not_recorded(target: WebhookTarget, call_sid: str, why: str) -> None:
    _warn("twilio webhook %s: call %s not recorded: %s", loggable(target.public_id), loggable(call_sid), why)


def _warn(message: str, *args: object) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning < WARN_EVERY_SECONDS:
        return
    _last_warning = now
    logger.warning(message, *args, exc_info=True)
