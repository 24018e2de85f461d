"""The voice webhook's own record of each call (what Twilio asked, the TwiML answered), made durable
before the answer leaves and written by the Celery worker.

The webhook answers from memory with no SQL (DESIGN §6). Its record of a call
is published as one Celery task (`integrations.record_voice_webhook`) before
the TwiML is returned: once published it lives in the broker (Redis, or the
embedded SQLite broker of `make run`), so a web process killed, restarted or
redeployed right after answering loses nothing, and the database write happens
in the worker, off the caller's path (issue 13, item 11). The worker writes
each record once: a redelivered task (acks_late) finds the row there already
(a repeated request is answered by integrations/hooks/replays.py and publishes
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
    from integrations.tasks import record_voice_webhook_task

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
    try:
        # retry=False: a broker that is down costs the caller one failed connect, not kombu's retry loop.
        record_voice_webhook_task.apply_async(
            args=[
                target.tenant_id,
                str(target.integration_id),
                call_sid[:64],
                record,
                received_at.isoformat(),
            ],
            retry=False,
        )
    except Exception:  # the call matters more than its record
        _warn(
            "twilio webhook %s: call %s not recorded: the broker refused the record",
            loggable(target.public_id),
            loggable(call_sid),
        )
        return False
    return True


def _warn(message: str, *args: object) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning < WARN_EVERY_SECONDS:
        return
    _last_warning = now
    logger.warning(message, *args, exc_info=True)
