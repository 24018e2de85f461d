"""Sampled records of webhook requests refused for their signature, for diagnostics (issue 6).

Every refusal is logged; at most one per integration per `SAMPLE_SECONDS`
per process becomes a `TwilioCallEvent`, carrying how many were refused since
the last one, so a flood of forged requests cannot turn into a flood of writes.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import DatabaseError

from controlplane.log_values import loggable
from integrations.hooks.cache import WebhookTarget
from integrations.hooks.signature import SignatureProblem
from integrations.models import TwilioCallEvent, TwilioEventKind

logger = logging.getLogger(__name__)

SAMPLE_SECONDS = 60.0

_last_recorded: dict[str, float] = {}
_unrecorded: dict[str, int] = {}
_lock = threading.Lock()


def note_rejection(target: WebhookTarget, problem: SignatureProblem, call_sid: str, path: str) -> None:
    """Log a refused request and, if none was recorded lately, record it."""
    logger.warning(
        "twilio webhook %s: refused %s (call %s): %s",
        target.public_id,
        loggable(path),
        loggable(call_sid or "-"),
        problem.label,
    )
    now = time.monotonic()
    with _lock:
        last = _last_recorded.get(target.public_id)
        if last is not None and now - last < SAMPLE_SECONDS:
            _unrecorded[target.public_id] = _unrecorded.get(target.public_id, 0) + 1
            return
        _last_recorded[target.public_id] = now
        skipped = _unrecorded.pop(target.public_id, 0)
    try:
        TwilioCallEvent.objects.create(
            tenant_id=target.tenant_id,
            integration_id=target.integration_id,
            kind=TwilioEventKind.SIGNATURE_REJECTED,
            call_sid=call_sid[:64],
            params={"reason": problem.value, "path": path[:200], "unrecorded_before": skipped},
        )
    except DatabaseError:
        # The 403 matters more than the record; the warning above already says what happened.
        logger.exception("twilio webhook %s: could not record the refused request", target.public_id)
