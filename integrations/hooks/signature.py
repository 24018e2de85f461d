"""Checking `X-Twilio-Signature` against the public URL Twilio was given (PROVIDERS.md §3).

Twilio signs the exact URL it requested (scheme, host, path, query) plus, for
a POST, every form parameter. Behind a proxy Django sees another host and
scheme, so the URL is rebuilt from `PUBLIC_BASE_URL` (the address the number's
VoiceUrl was set to); the proxy's `X-Forwarded-Host`/`-Proto` are believed only
when the deployment says its proxy sets them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import models
from django.http import HttpRequest, QueryDict
from twilio.request_validator import SIGNATURE_SETTINGS_HEADER, RequestValidator

SIGNATURE_HEADER = "HTTP_X_TWILIO_SIGNATURE"
_SETTINGS_HEADER = "HTTP_" + SIGNATURE_SETTINGS_HEADER.upper().replace("-", "_")


class SignatureProblem(models.TextChoices):
    """Why a webhook request was refused (logged and recorded; never the signature itself)."""

    MISSING = "missing", "no X-Twilio-Signature header"
    MISMATCH = "mismatch", "X-Twilio-Signature does not match the account's auth token"
    SHARED_KEY = "shared_key", "signed with a webhook SharedKey, not the account's auth token"
    #: more form fields than DATA_UPLOAD_MAX_NUMBER_FIELDS or a body over DATA_UPLOAD_MAX_MEMORY_SIZE:
    #: the parameters cannot be read, so the signature cannot be checked (issue 13, item 3)
    UNREADABLE = "unreadable", "the request body could not be read to check the signature"


def _first(value: str) -> str:
    # Proxies append to X-Forwarded-* lists; the first entry is what the client asked for.
    return value.split(",", 1)[0].strip()


def public_url(request: HttpRequest) -> str:
    """The URL Twilio requested, as it signed it: `PUBLIC_BASE_URL` + path (+ raw query string)."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    forwarded_host = settings.TWILIO_WEBHOOK_TRUST_FORWARDED_HOST and _first(
        request.META.get("HTTP_X_FORWARDED_HOST", "")
    )
    forwarded_proto = settings.TRUST_X_FORWARDED_PROTO and _first(
        request.META.get("HTTP_X_FORWARDED_PROTO", "")
    )
    if forwarded_host or forwarded_proto in ("http", "https"):
        parts = urlsplit(base)
        scheme = forwarded_proto if forwarded_proto in ("http", "https") else parts.scheme
        base = f"{scheme}://{forwarded_host or parts.netloc}{parts.path}"
    # The raw query string: Twilio signed the bytes it sent, not a re-encoding of them.
    query = request.META.get("QUERY_STRING", "")
    return f"{base}{request.path_info}?{query}" if query else f"{base}{request.path_info}"


def signature_problem(request: HttpRequest, validator: RequestValidator) -> SignatureProblem | None:
    """Why the request's signature is not Twilio's for this account, or None when it is."""
    signature = request.META.get(SIGNATURE_HEADER, "")
    if not signature:
        return SignatureProblem.MISSING
    if "algorithm=" in request.META.get(_SETTINGS_HEADER, ""):
        # Twilio signs with a SharedKey secret when the account enabled one; Patchbay holds
        # only the auth token (twilio.request_validator, X-Twilio-Webhooks-Signature-Settings).
        return SignatureProblem.SHARED_KEY
    # A GET carries its parameters in the signed URL; a POST adds its form fields. Django refuses to
    # parse a form over its field-count or size limits (TooManyFieldsSent, RequestDataTooBig).
    try:
        params: QueryDict | dict[str, str] = request.POST if request.method == "POST" else {}
        request.GET  # noqa: B018  (parsed now: a query string over the limits is refused here too)
    except SuspiciousOperation:
        return SignatureProblem.UNREADABLE
    if validator.validate(public_url(request), params, signature):
        return None
    return SignatureProblem.MISMATCH
