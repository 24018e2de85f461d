"""Whether a call's ladder is complete, or still settling (issue 15, "Ladder latency").

Patchbay reads call logs every few seconds (calls/fetch_schedule.py), so a
ladder can be shown while the call is still going on, or before its last
messages reached the log. It is *complete* when:

- its end was seen: a BYE answered with a 2xx, the ACK of a final failure
  response (3xx-6xx), or for a Twilio call a final status callback
  (completed, busy, no-answer, canceled, failed); or
- it looks ended (a final failure, or a BYE not yet answered) and a read at
  least `CALLS_SETTLE_QUIET_SECONDS` after its last message brought nothing
  new (`updated_at` is when a read last stored the call); or
- nothing new came for `CALLS_SETTLE_MAX_SECONDS` (a log that lost the end).

Otherwise it is *settling*: the API says `"complete": false` and the ladder
page marks it. An uploaded trace is complete: the file is all there is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings

from calls.choices import CallSource, Direction

if TYPE_CHECKING:
    from calls.models import SipCall, SipMessageRecord

#: Twilio's CallStatus values after which no status callback follows
TWILIO_FINAL_STATUSES = ("completed", "busy", "no-answer", "canceled", "failed")


def _sip_end_seen(labels: list[str], final_status: int | None) -> bool:
    """A BYE answered by a 2xx, or an ACK after a final failure response."""
    if "BYE" in labels:
        return any(label[:1] == "2" for label in labels[labels.index("BYE") + 1 :])
    if final_status is not None and final_status >= 300:
        failure = next((i for i, label in enumerate(labels) if label.startswith(str(final_status))), None)
        return failure is not None and "ACK" in labels[failure + 1 :]
    return False


def is_complete(call: SipCall, messages: Iterable[SipMessageRecord]) -> bool:
    """True when no more messages are expected for `call` (`messages` in ladder order)."""
    if call.integration_id is None or call.source == CallSource.UPLOAD:
        return True
    quiet_for = (call.updated_at - call.ended_at).total_seconds()
    if quiet_for >= settings.CALLS_SETTLE_MAX_SECONDS:
        return True
    labels = [m.label for m in messages if m.direction != Direction.INTERNAL]
    if call.source == CallSource.TWILIO:
        return any(label.split(" (")[0] == f"status {s}" for label in labels for s in TWILIO_FINAL_STATUSES)
    if _sip_end_seen(labels, call.final_status):
        return True
    looks_ended = "BYE" in labels or (call.final_status is not None and call.final_status >= 300)
    return looks_ended and quiet_for >= settings.CALLS_SETTLE_QUIET_SECONDS
