"""Twilio's webhooks for twilio_synthflow integrations: the live-call voice URL, the SIP leg's status, the
REFER of a cold transfer, and the SIP Domain's voice URL of a warm transfer.

The voice webhook is on a live call (DESIGN §6): it answers from the
in-process cache (no SQL once warm), asks Synthflow at most once with a short
timeout, and never answers Twilio a 5xx or an error page: whatever goes wrong
after the integration is known, the caller hears its fallback.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from controlplane.log_values import loggable
from integrations.hooks import cache, call_log, replays, transfers, twiml
from integrations.hooks.live_call import CallAnswer, CallOutcome, answer_call
from integrations.hooks.rejections import note_rejection
from integrations.hooks.signature import SignatureProblem, signature_problem
from integrations.kinds.twilio_synthflow import DEFAULT_FALLBACK_SAY
from integrations.models import TwilioCallEvent, TwilioEventKind
from monitoring.webhook_metrics import observed_voice_webhook

logger = logging.getLogger(__name__)

TWIML_CONTENT_TYPE = "text/xml; charset=utf-8"
#: what a caller hears when the integration itself could not be read (database down, bad keys)
DEFAULT_FALLBACK_TWIML = twiml.fallback({"say": DEFAULT_FALLBACK_SAY})


def _twiml(body: str) -> HttpResponse:
    return HttpResponse(body, content_type=TWIML_CONTENT_TYPE)


def _not_found() -> HttpResponse:
    # A plain 404, no TwiML: Twilio then tries the number's VoiceFallbackUrl.
    return HttpResponse("Not Found", status=404, content_type="text/plain")


def _forbidden() -> HttpResponse:
    return HttpResponse("Forbidden", status=403, content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@observed_voice_webhook
def voice_webhook(request: HttpRequest, public_id: str) -> HttpResponse:
    """Twilio's voice URL of a twilio_synthflow number: TwiML that sends the call to Synthflow."""
    received_at = timezone.now()
    try:
        target = cache.get_target(public_id)
    except Exception:
        # Twilio must get TwiML, not a 500: log everything and play the generic message.
        logger.exception(
            "twilio webhook %s: cannot load the integration; answering a generic message", loggable(public_id)
        )
        return _twiml(DEFAULT_FALLBACK_TWIML)
    if target is None:
        return _not_found()
    # The signature first: nothing below runs, and nothing is written, for a request Twilio did not sign.
    refused = _refusal(request, target)
    if refused is not None:
        return refused
    params: QueryDict = request.POST if request.method == "POST" else request.GET
    call_sid = params.get("CallSid", "")
    # With prepare_inbound a repeat must not ask Synthflow again, so the replay cache is read first.
    # Without it the answer is computed from the request alone (no vendor asked, nothing written), so
    # `remember` below is the only cache round trip and hands a repeat the first answer all the same.
    if target.prepare_inbound:
        repeat = replays.seen(target.public_id, call_sid)
        if repeat is not None:
            logger.info("twilio webhook %s: call %s asked again; same answer", public_id, loggable(call_sid))
            return _twiml(repeat.twiml)
    try:
        base = settings.PUBLIC_BASE_URL.rstrip("/")
        answer = answer_call(target, params, f"{base}{target.status_path}", f"{base}{target.refer_path}")
    except Exception:
        logger.exception(
            "twilio webhook %s: answering call %s failed; answering the fallback",
            public_id,
            loggable(call_sid),
        )
        answer = CallAnswer(target.fallback_twiml, CallOutcome.FALLBACK, "answering the call failed")
    # Kept for Twilio's repeats, and the call's record queued before the answer leaves (one Redis round
    # trip); a repeat that raced this one gets the first answer (call_log.py).
    answer = call_log.answer_once(target, params, answer, received_at)
    logger.debug("twilio webhook %s: call %s %s", public_id, loggable(call_sid), answer.outcome)
    return _twiml(answer.twiml)


def _refusal(request: HttpRequest, target: cache.WebhookTarget) -> HttpResponse | None:
    """A 403 for a request whose signature is missing, wrong or cannot be checked; None for Twilio's own."""
    problem = signature_problem(request, target.validator)
    if problem is None:
        return None
    if problem == SignatureProblem.UNREADABLE:
        # Django would not parse the body (too many fields, too big): log it, record nothing.
        logger.warning(
            "twilio webhook %s: refused %s: %s", target.public_id, loggable(request.path_info), problem.label
        )
        return _forbidden()
    try:
        params = request.POST if request.method == "POST" else request.GET
        call_sid = params.get("CallSid", "")
    except SuspiciousOperation:
        call_sid = ""
    note_rejection(target, problem, call_sid, request.path_info)
    return _forbidden()


@csrf_exempt
@require_POST
def sip_status_webhook(request: HttpRequest, public_id: str) -> HttpResponse:
    """Twilio's status callback of the `<Dial><Sip>` leg: recorded as a TwilioCallEvent."""
    target = cache.get_target(public_id)
    if target is None:
        return _not_found()
    refused = _refusal(request, target)
    if refused is not None:
        return refused
    TwilioCallEvent.objects.create(
        tenant_id=target.tenant_id,
        integration_id=target.integration_id,
        kind=TwilioEventKind.SIP_STATUS,
        call_sid=request.POST.get("CallSid", "")[:64],
        params={key: request.POST.get(key, "") for key in request.POST},
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def refer_webhook(request: HttpRequest, public_id: str) -> HttpResponse:
    """The `<Dial referUrl>` of a call sent to Synthflow: Synthflow's cold transfer is a SIP REFER, and
    Twilio asks here what to do with it (twilio.com/docs/voice/api/refer-to-twilio). The caller is
    dialled to the REFER's target only when it is one of the integration's `transfer_targets`; any
    other target is refused (403), so a prompt-injected assistant cannot send callers, or toll
    charges, anywhere else."""
    target = cache.get_target(public_id)
    if target is None:
        return _not_found()
    refused = _refusal(request, target)
    if refused is not None:
        return refused
    call_sid = request.POST.get("CallSid", "")
    refer_to = request.POST.get("ReferTransferTarget", "")
    number = transfers.target_number(refer_to)
    if number is None or number not in target.transfer_targets:
        logger.warning(
            "twilio webhook %s: call %s: transfer to %s refused: not a transfer target of the integration",
            target.public_id,
            loggable(call_sid),
            loggable(refer_to),
        )
        return _forbidden()
    logger.info("twilio webhook %s: call %s transferred to %s", target.public_id, loggable(call_sid), number)
    return _twiml(twiml.dial_number(number))


#: the Request-URI Twilio passes in `To` for a call to a SIP Domain is far shorter than this
MAX_TO_LENGTH = 512


@csrf_exempt
@require_POST
def warm_transfer_webhook(request: HttpRequest, public_id: str) -> HttpResponse:
    """The Voice URL of the integration's Twilio SIP Domain: Synthflow's warm transfer is a new INVITE to
    the domain (twilio_synthflow blueprint), and Twilio asks here what to do with it
    (twilio.com/docs/voice/sip/api/sip-domain-resource). `To` is the Request-URI,
    `sip:+14155550123@<domain>`: its number is dialled only when it is one of the integration's
    `transfer_targets`; anything else is answered `<Reject>`, so no one who reaches the domain can send
    calls, or toll charges, anywhere else. A repeat of the same CallSid gets the first answer."""
    target = cache.get_target(public_id)
    if target is None:
        return _not_found()
    # The signature first: nothing below runs for a request Twilio did not sign.
    refused = _refusal(request, target)
    if refused is not None:
        return refused
    call_sid = request.POST.get("CallSid", "")
    # Its own replay key space: a domain call's CallSid is not the voice webhook's.
    replay_id = f"{target.public_id}:warm-transfer"
    repeat = replays.seen(replay_id, call_sid)
    if repeat is not None:
        return _twiml(repeat.twiml)
    to = request.POST.get("To", "")
    number = transfers.target_number(to) if len(to) <= MAX_TO_LENGTH else None
    if number is None or number not in target.transfer_targets:
        logger.warning(
            "twilio webhook %s: call %s: warm transfer to %s rejected: not a transfer target",
            target.public_id,
            loggable(call_sid),
            loggable(to),
        )
        answer = CallAnswer(twiml.reject(), CallOutcome.REFUSED, "not a transfer target")
    else:
        logger.info(
            "twilio webhook %s: call %s warm-transferred to %s", target.public_id, loggable(call_sid), number
        )
        answer = CallAnswer(twiml.dial_number(number), CallOutcome.TRANSFERRED)
    answer, _ = replays.remember(replay_id, call_sid, answer)
    return _twiml(answer.twiml)
