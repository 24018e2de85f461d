"""Twilio's webhooks for twilio_synthflow integrations: the live-call voice URL and the SIP leg's status.

The voice webhook is on a live call (DESIGN §6): it answers from the
in-process cache (no SQL once warm), asks Synthflow at most once with a short
timeout, and never answers Twilio a 5xx or an error page: whatever goes wrong
after the integration is known, the caller hears its fallback.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from integrations.hooks import cache, call_log, twiml
from integrations.hooks.live_call import CallAnswer, CallOutcome, answer_call
from integrations.hooks.rejections import note_rejection
from integrations.hooks.signature import signature_problem
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
            "twilio webhook %s: cannot load the integration; answering a generic message", public_id
        )
        return _twiml(DEFAULT_FALLBACK_TWIML)
    if target is None:
        return _not_found()
    params: QueryDict | dict[str, str] = {}
    try:
        problem = signature_problem(request, target.validator)
        params = request.POST if request.method == "POST" else request.GET
        if problem is not None:
            note_rejection(target, problem, params.get("CallSid", ""), request.path_info)
            return _forbidden()
        status_callback = f"{settings.PUBLIC_BASE_URL.rstrip('/')}{target.status_path}"
        answer = answer_call(target, params, status_callback)
    except Exception:
        logger.exception("twilio webhook %s: answering the call failed; answering the fallback", public_id)
        failed = CallAnswer(target.fallback_twiml, CallOutcome.FALLBACK, "answering the call failed")
        call_log.note_voice_request(target, params, failed, received_at, timezone.now())
        return _twiml(target.fallback_twiml)
    # Recorded by a background writer: the caller does not wait for a database write.
    call_log.note_voice_request(target, params, answer, received_at, timezone.now())
    logger.debug("twilio webhook %s: call %s %s", public_id, params.get("CallSid", ""), answer.outcome)
    return _twiml(answer.twiml)


@csrf_exempt
@require_POST
def sip_status_webhook(request: HttpRequest, public_id: str) -> HttpResponse:
    """Twilio's status callback of the `<Dial><Sip>` leg: recorded as a TwilioCallEvent."""
    target = cache.get_target(public_id)
    if target is None:
        return _not_found()
    problem = signature_problem(request, target.validator)
    if problem is not None:
        note_rejection(target, problem, request.POST.get("CallSid", ""), request.path_info)
        return _forbidden()
    TwilioCallEvent.objects.create(
        tenant_id=target.tenant_id,
        integration_id=target.integration_id,
        kind=TwilioEventKind.SIP_STATUS,
        call_sid=request.POST.get("CallSid", "")[:64],
        params={key: request.POST.get(key, "") for key in request.POST},
    )
    return HttpResponse(status=204)
