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
nothing). When the broker itself cannot take the record, the call is still
answered and the log says so (at most once a minute).
calls/twilio_hops.py builds the call's ladder from these `voice_webhook` events
and the `<Sip>` status callbacks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from controlplane.log_values import loggable
from integrations.hooks import record_queue
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


def note_voice_request(
    target: WebhookTarget,
    params: Mapping[str, str],
    answer: CallAnswer,
    received_at: datetime,
    answered_at: datetime,
) -> bool:
    """Publish the record of one answered voice request; never raises. False when the broker refused it."""
    from integrations.tasks import drain_voice_records_task, record_voice_webhook_task

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
    args = (target.tenant_id, str(target.integration_id), call_sid[:64], record, received_at.isoformat())
    try:
        # One Redis round trip (integrations/hooks/record_queue.py); without Redis, a task of its own.
        queued = record_queue.push(*args)
        # retry=False: a broker that is down costs the caller one failed connect, not kombu's retries.
        if queued is None:
            record_voice_webhook_task.apply_async(args=list(args), retry=False)
    except Exception:  # the call matters more than its record
        _warn(
            "twilio webhook %s: call %s not recorded: the broker refused the record",
            loggable(target.public_id),
            loggable(call_sid),
        )
        return False
    if queued:  # the first record since the last drain began: one drain for the batch
        try:
            drain_voice_records_task.apply_async(countdown=record_queue.DRAIN_DELAY_SECONDS, retry=False)
        except Exception:  # the record is safe in Redis; the beat's drain writes it
            _warn(
                "twilio webhook: no drain queued for call %s; the beat's drain will write it",
                loggable(call_sid),
            )
    return True


def _warn(message: str, *args: object) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning < WARN_EVERY_SECONDS:
        return
    _last_warning = now
    logger.warning(message, *args, exc_info=True)
