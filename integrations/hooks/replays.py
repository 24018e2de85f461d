"""One answer per call: a signed voice request seen again for the same CallSid gets the first answer.

Twilio asks a voice URL again for the same call when its first attempt failed:
up to 5 retries within the URL's total timeout (`tt`, at most 15 s), then the
VoiceFallbackUrl, which Patchbay points at the same webhook, for another 15 s
at most (twilio.com/docs/usage/webhooks/webhooks-connection-overrides). A
captured request replayed by someone else is also still correctly signed. So
the first answer to a (integration, CallSid) is kept in Django's cache (Redis
in production, shared by every web process) for `TWILIO_REPLAY_SECONDS`, and
a repeat is answered from there: same TwiML, no second prepare_inbound, no
second call record.

The cache is the shared one because Twilio's retry may reach another web
process. When the cache itself fails, the call is answered as if new: a
caller is never refused for the sake of de-duplication.
"""

from __future__ import annotations

import hashlib
import logging
import re

from django.conf import settings
from django.core.cache import cache

from integrations.hooks.live_call import CallAnswer, CallOutcome

logger = logging.getLogger(__name__)

#: Twilio's CallSid: `CA` + 32 hex; anything else is not de-duplicated (and never a cache key as given)
CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")


def _key(public_id: str, call_sid: str) -> str:
    digest = hashlib.sha256(f"{public_id}\n{call_sid}".encode()).hexdigest()
    return f"twilio-voice-answer:{digest}"


def seen(public_id: str, call_sid: str) -> CallAnswer | None:
    """The answer already given to this call, if any."""
    if not CALL_SID.match(call_sid):
        return None
    try:
        stored = cache.get(_key(public_id, call_sid))
    except Exception:  # a cache outage must not refuse the call
        logger.warning("twilio webhook: the replay cache cannot be read", exc_info=True)
        return None
    return _answer(stored)


def remember(public_id: str, call_sid: str, answer: CallAnswer) -> tuple[CallAnswer, bool]:
    """Keep `answer` as this call's answer unless another request kept one first; (the call's
    answer, True when it is `answer` itself)."""
    if not CALL_SID.match(call_sid):
        return answer, True
    key = _key(public_id, call_sid)
    value = [answer.twiml, str(answer.outcome), answer.reason]
    try:
        if cache.add(key, value, timeout=settings.TWILIO_REPLAY_SECONDS):
            return answer, True
        first = _answer(cache.get(key))
    except Exception:
        logger.warning("twilio webhook: the replay cache cannot be written", exc_info=True)
        return answer, True
    return (first, False) if first is not None else (answer, True)


def _answer(stored: object) -> CallAnswer | None:
    if not isinstance(stored, list) or len(stored) != 3:
        return None
    twiml, outcome, reason = stored
    return CallAnswer(str(twiml), CallOutcome(outcome), str(reason))
