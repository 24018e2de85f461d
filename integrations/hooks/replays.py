"""One answer per call: a signed voice request seen again for the same CallSid gets the first answer.

Twilio asks a voice URL again for the same call when its first attempt failed:
up to 5 retries within the URL's total timeout (`tt`, at most 15 s), then the
VoiceFallbackUrl, which Patchbay points at the same webhook, for another 15 s
at most (twilio.com/docs/usage/webhooks/webhooks-connection-overrides). A
captured request replayed by someone else is also still correctly signed. So
the first answer to a (integration, CallSid) is kept for `TWILIO_REPLAY_SECONDS`
where every web process sees it, and a repeat is answered from there: same
TwiML, no second prepare_inbound, no second call record.

Where: in the Redis the call records are queued in (`VOICE_RECORDS_REDIS_URL`,
integrations/hooks/record_queue.py), so that keeping a voice call's answer and
queueing its record are one round trip (call_log.py `answer_once`); without
that Redis (`make run`), in Django's cache. When the store itself fails, the
call is answered as if new: a caller is never refused for the sake of
de-duplication.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re

from django.conf import settings
from django.core.cache import cache

from integrations.hooks import record_queue
from integrations.hooks.live_call import CallAnswer, CallOutcome

logger = logging.getLogger(__name__)

#: Twilio's CallSid: `CA` + 32 hex; anything else is not de-duplicated (and never a cache key as given)
CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")


def deduplicated(call_sid: str) -> bool:
    """Whether this CallSid's answer is kept (Twilio's form only)."""
    return CALL_SID.match(call_sid) is not None


def _key(public_id: str, call_sid: str) -> str:
    digest = hashlib.sha256(f"{public_id}\n{call_sid}".encode()).hexdigest()
    return f"twilio-voice-answer:{digest}"


def redis_key(public_id: str, call_sid: str) -> str:
    """The call's key in the records' Redis (Django's cache prefixes its own keys likewise)."""
    return f"patchbay:{_key(public_id, call_sid)}"


def encode(answer: CallAnswer) -> str:
    return json.dumps([answer.twiml, str(answer.outcome), answer.reason])


def decode(stored: bytes | str | None) -> CallAnswer | None:
    """The answer kept in Redis, or None when there is none (or it is not one this code wrote)."""
    if stored is None:
        return None
    try:
        return _answer(json.loads(stored))
    except ValueError:
        return None


def seen(public_id: str, call_sid: str) -> CallAnswer | None:
    """The answer already given to this call, if any."""
    if not deduplicated(call_sid):
        return None
    try:
        connection = record_queue.client()
        if connection is not None:
            return decode(connection.get(redis_key(public_id, call_sid)))
        stored = cache.get(_key(public_id, call_sid))
    except Exception:  # an outage must not refuse the call
        logger.warning("twilio webhook: the replay store cannot be read", exc_info=True)
        return None
    return _answer(stored)


def remember(public_id: str, call_sid: str, answer: CallAnswer) -> tuple[CallAnswer, bool]:
    """Keep `answer` as this call's answer unless another request kept one first; (the call's
    answer, True when it is `answer` itself)."""
    if not deduplicated(call_sid):
        return answer, True
    try:
        first = _keep(public_id, call_sid, answer)
    except Exception:
        logger.warning("twilio webhook: the replay store cannot be written", exc_info=True)
        return answer, True
    return (first, False) if first is not None else (answer, True)


def _keep(public_id: str, call_sid: str, answer: CallAnswer) -> CallAnswer | None:
    """None when `answer` is now kept; the answer kept before otherwise (None if unreadable)."""
    connection = record_queue.client()
    if connection is not None:
        key = redis_key(public_id, call_sid)
        if connection.set(key, encode(answer), nx=True, ex=settings.TWILIO_REPLAY_SECONDS):
            return None
        return decode(connection.get(key))
    key = _key(public_id, call_sid)
    value = [answer.twiml, str(answer.outcome), answer.reason]
    if cache.add(key, value, timeout=settings.TWILIO_REPLAY_SECONDS):
        return None
    return _answer(cache.get(key))


def _answer(stored: object) -> CallAnswer | None:
    if not isinstance(stored, list) or len(stored) != 3:
        return None
    twiml, outcome, reason = stored
    try:
        return CallAnswer(str(twiml), CallOutcome(outcome), str(reason))
    except ValueError:  # an outcome this code does not know
        return None
