"""What the voice webhook answers for one call: `<Dial><Sip>` to Synthflow, or the fallback.

With prepare_inbound on, Synthflow is asked first (once, with a short
timeout, PROVIDERS.md §1.5) and its call id travels as `X-EI: S.<id>;`;
otherwise `X-EI: E.<CallSid>;` lets Synthflow's post-call data name the Twilio
call. When Synthflow says `failed` (its outage signal), is slow, or errors,
the caller hears the integration's fallback instead of silence; after several
failures in a row it hears it at once for a while (integrations/hooks/breaker.py).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import models

from controlplane.log_values import loggable
from integrations.hooks import breaker, twiml
from integrations.hooks.cache import WebhookTarget
from integrations.vendors.errors import VendorError

logger = logging.getLogger(__name__)

# prepare_inbound takes E.164 numbers (§1.5); Twilio sends "anonymous" or an empty From for
# withheld callers, and a sip: URI for SIP-originated calls.
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
# X-EI tokens end at `;`, so a value holding one would split (§1.5, docs x-ei-sip-header).
_TOKEN_VALUE = re.compile(r"^[^;\s]+$")


class CallOutcome(models.TextChoices):
    """How the webhook answered a call."""

    PREPARED = "prepared", "Dialled Synthflow with a prepared call id (X-EI S.)"
    DIALLED = "dialled", "Dialled Synthflow with the Twilio CallSid (X-EI E.)"
    FALLBACK = "fallback", "Answered the fallback"
    #: the warm-transfer webhook's answers (an INVITE from Synthflow to the integration's SIP Domain)
    TRANSFERRED = "transferred", "Warm transfer: dialled a transfer target"
    REFUSED = "refused", "Warm transfer: rejected (not a transfer target)"


@dataclass(frozen=True)
class CallAnswer:
    """The TwiML for one call and why it is that."""

    twiml: str
    outcome: CallOutcome
    reason: str = ""


def answer_call(
    target: WebhookTarget, params: Mapping[str, str], status_callback: str, refer_url: str
) -> CallAnswer:
    """The TwiML answer to Twilio's voice request `params` for `target`'s integration."""
    call_sid = params.get("CallSid", "")
    outcome = CallOutcome.DIALLED
    if target.prepare_inbound and E164.match(params.get("From", "")):
        prepared = _prepare_inbound(target, params)
        if isinstance(prepared, str):
            logger.warning(
                "twilio webhook %s: call %s gets the fallback: %s",
                target.public_id,
                loggable(call_sid),
                loggable(prepared, 300),
            )
            return CallAnswer(target.fallback_twiml, CallOutcome.FALLBACK, prepared)
        x_ei: str | None = f"S.{prepared.call_id};"
        outcome = CallOutcome.PREPARED
    else:
        if target.prepare_inbound:
            # A withheld or SIP caller has no E.164 number for prepare_inbound; connecting the
            # call without custom variables beats sending the caller to the fallback.
            logger.info(
                "twilio webhook %s: call %s from a non-E.164 caller skips prepare_inbound",
                target.public_id,
                loggable(call_sid),
            )
        x_ei = f"E.{call_sid};" if _TOKEN_VALUE.match(call_sid) else None
    headers = twiml.encode_sip_headers(
        x_ei, [(name, params[param]) for name, param in target.sip_headers if param in params]
    )
    if headers.dropped or headers.refused:
        logger.warning(
            "twilio webhook %s: call %s: SIP headers %s dropped (over Twilio's %d-character limit), "
            "%s refused (CR/LF/NUL in the value)",
            target.public_id,
            loggable(call_sid),
            ", ".join(headers.dropped) or "none",
            twiml.SIP_HEADERS_LIMIT,
            ", ".join(headers.refused) or "none",
        )
    uri = twiml.sip_uri(target.twilio_number, target.sip_host, target.sip_port, headers)
    return CallAnswer(twiml.dial_sip(uri, status_callback, refer_url), outcome)


#: a failed prepare_inbound that took this share of its timeout or more counts as a stall
STALL_FRACTION = 0.9


@dataclass(frozen=True)
class _Prepared:
    call_id: str


def _prepare_inbound(target: WebhookTarget, params: Mapping[str, str]) -> _Prepared | str:
    """Synthflow's prepared call id, or why there is none (a reason for the log, never a secret)."""
    if not breaker.allows(target.public_id):
        return "prepare_inbound not asked: Synthflow failed too often of late (breaker open)"
    started = time.monotonic()
    prepared: _Prepared | str = "prepare_inbound raised"
    try:
        prepared = _ask_synthflow(target, params)
    finally:  # the breaker hears of every call it let through, even one that raised
        _tell_breaker(target, prepared, time.monotonic() - started)
    return prepared


def _tell_breaker(target: WebhookTarget, prepared: _Prepared | str, waited: float) -> None:
    succeeded = isinstance(prepared, _Prepared)
    # Waited (nearly) the whole timeout: a stall, not a quick error (integrations/hooks/breaker.py).
    stalled = not succeeded and waited >= STALL_FRACTION * settings.SYNTHFLOW_PREPARE_TIMEOUT
    breaker.record(target.public_id, succeeded, stalled=stalled)


def _ask_synthflow(target: WebhookTarget, params: Mapping[str, str]) -> _Prepared | str:
    variables = {name: params[param] for name, param in target.custom_variables if param in params}
    try:
        prepared = target.synthflow.prepare_inbound(
            from_number=params["From"],
            to_number=target.twilio_number,
            model_id=target.assistant_id,
            workspace_id=target.workspace_id,
            custom_variables=variables,
            timeout=settings.SYNTHFLOW_PREPARE_TIMEOUT,
        )
    except VendorError as error:
        return f"prepare_inbound failed: {error}"
    except (ValueError, KeyError, TypeError) as error:
        return f"prepare_inbound answered something unreadable ({type(error).__name__})"
    if not prepared.registered:
        return f"prepare_inbound answered call_status {prepared.call_status or 'missing'!r}"
    if not _TOKEN_VALUE.match(prepared.synthflow_call_id):
        return "prepare_inbound answered a call id that cannot travel in X-EI"
    return _Prepared(prepared.synthflow_call_id)
