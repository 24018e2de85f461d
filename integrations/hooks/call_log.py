"""The voice webhook's own record of each call (what Twilio asked, the TwiML answered), written off the
request thread.

The webhook answers from memory with no SQL (DESIGN §6), so its record of a
call is handed to a queue and a daemon thread of the process writes the
records in batches with its own database connection (closed after each batch,
so it holds none while idle). A full queue drops the record and says so in the
log: a call is never slowed to keep its ladder. calls/twilio_hops.py builds the
call's ladder from these `voice_webhook` events and the `<Sip>` status callbacks.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import connections

from integrations.hooks.cache import WebhookTarget
from integrations.hooks.live_call import CallAnswer
from integrations.models import TwilioCallEvent, TwilioEventKind

logger = logging.getLogger(__name__)

MAX_PENDING = 10_000
BATCH = 200
#: Twilio request parameters kept (the geo fields and legacy duplicates add nothing to a ladder)
KEPT_PARAMS = ("CallSid", "AccountSid", "From", "To", "CallStatus", "Direction", "ParentCallSid", "ErrorCode")
#: at most one warning per this many seconds for dropped or unwritable records
WARN_EVERY_SECONDS = 60.0

#: (tenant id, integration id, call sid, params, received at): the model is built by the writer
_pending: queue.Queue[tuple[Any, ...]] = queue.Queue(maxsize=MAX_PENDING)
_thread: threading.Thread | None = None
_start_lock = threading.Lock()
_last_warning = 0.0


def note_voice_request(
    target: WebhookTarget,
    params: Mapping[str, str],
    answer: CallAnswer,
    received_at: datetime,
    answered_at: datetime,
) -> None:
    """Queue the record of one answered voice request; never blocks, never raises."""
    call_sid = params.get("CallSid", "")
    record = {key: params[key] for key in KEPT_PARAMS if key in params}
    record.update(
        outcome=str(answer.outcome),
        reason=answer.reason,
        twiml=answer.twiml,
        prepare_inbound=target.prepare_inbound,
        answered_at=answered_at.isoformat(),
    )
    event = (target.tenant_id, target.integration_id, call_sid[:64], record, received_at)
    _ensure_writer()
    try:
        _pending.put_nowait(event)
    except queue.Full:
        _warn(
            "twilio webhook %s: call %s not recorded: %d records wait already",
            target.public_id,
            call_sid,
            MAX_PENDING,
        )


def flush(timeout: float = 10.0) -> bool:
    """Wait until every queued record is written (or failed); False on timeout (tests, shutdown)."""
    deadline = time.monotonic() + timeout
    while _pending.unfinished_tasks:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _ensure_writer() -> None:
    global _thread
    if _thread is not None and _thread.is_alive():
        return
    with _start_lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_write_forever, name="twilio-call-log", daemon=True)
            _thread.start()


def _write_forever() -> None:
    while True:
        batch = [_pending.get()]
        while len(batch) < BATCH:
            try:
                batch.append(_pending.get_nowait())
            except queue.Empty:
                break
        rows = [
            TwilioCallEvent(
                tenant_id=tenant_id,
                integration_id=integration_id,
                kind=TwilioEventKind.VOICE_WEBHOOK,
                call_sid=call_sid,
                params=params,
                at=at,
            )
            for tenant_id, integration_id, call_sid, params, at in batch
        ]
        try:
            TwilioCallEvent.objects.bulk_create(rows)
        except Exception:  # a record is worth less than the writer: log and go on
            _warn("twilio webhook: %d call records could not be written", len(batch), exc=True)
        finally:
            connections.close_all()
            for _ in batch:
                _pending.task_done()


def _warn(message: str, *args: object, exc: bool = False) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning < WARN_EVERY_SECONDS:
        return
    _last_warning = now
    logger.warning(message, *args, exc_info=exc)
