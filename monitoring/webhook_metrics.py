"""Counting the Twilio voice webhook's answers by outcome, with their latency.

A decorator around the view, so the hot path itself stays a straight line: the
outcome is read off the response (DESIGN §6 answers are TwiML or a bare 403/404).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse

from monitoring import metrics


class WebhookOutcome(models.TextChoices):
    """How the voice webhook answered Twilio."""

    DIALED = "dialed", "Sent to the voice agent (<Dial><Sip>)"
    FALLBACK = "fallback", "Answered the fallback"
    REJECTED = "rejected", "Refused: bad or missing signature (403)"
    NOT_FOUND = "not_found", "No such webhook (404)"


def outcome_of(response: HttpResponse) -> str:
    """The outcome a voice webhook response stands for."""
    if response.status_code == 403:
        return WebhookOutcome.REJECTED
    if response.status_code == 404:
        return WebhookOutcome.NOT_FOUND
    if b"<Sip" in response.content:
        return WebhookOutcome.DIALED
    return WebhookOutcome.FALLBACK


def observed_voice_webhook(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap the voice webhook view: count each answer by outcome and time it."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        started = time.perf_counter()
        response = view(request, *args, **kwargs)
        outcome = outcome_of(response)
        metrics.WEBHOOK_ANSWERS.labels(outcome).inc()
        metrics.WEBHOOK_LATENCY.labels(outcome).observe(time.perf_counter() - started)
        return response

    return wrapper
