"""Sending one alert to one destination: an email, or a signed JSON POST Slack's incoming webhooks accept.

Webhook bodies are `{"text": ..., "patchbay": {...}}`: Slack-compatible receivers
show `text` and ignore the rest. Each POST carries `X-Patchbay-Timestamp` and
`X-Patchbay-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the
destination's signing secret (the scheme Slack uses for its own requests), so a
receiver can tell Patchbay's alerts from forgeries and replays.

The URL's host must resolve to public addresses only, unless ALLOW_PRIVATE_TARGETS:
the same rule as SIP probes (calls/target_addresses.py), checked when the
destination is saved and again before every send.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.mail import send_mail

from alerts.choices import DestinationKind
from alerts.models import AlertDestination
from calls.target_addresses import TargetError, resolve_target
from integrations.encryption import decrypt_secrets

SIGNATURE_HEADER = "X-Patchbay-Signature"
TIMESTAMP_HEADER = "X-Patchbay-Timestamp"
#: longest part of a receiver's answer kept as the destination's error
MAX_ERROR_CHARS = 300


class DeliveryFailed(Exception):
    """The destination did not take the alert; the message says why (no secret in it)."""


class WebhookTargetRefused(DeliveryFailed):
    """The webhook URL is not allowed (bad scheme, or a private address without ALLOW_PRIVATE_TARGETS)."""


@dataclass(frozen=True)
class Alert:
    """What an alert says: the event, a one-line title, a few lines of text, and ids for machines."""

    event: str
    title: str
    text: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"event": self.event, "title": self.title, "text": self.text, "details": self.details}


def check_webhook_url(url: str) -> None:
    """Raise WebhookTargetRefused unless `url` is http(s) to a host that resolves to allowed addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookTargetRefused("the webhook URL must be an http:// or https:// URL with a host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        resolve_target(parts.hostname, port, "tcp")
    except TargetError as error:
        raise WebhookTargetRefused(str(error).replace("probes to it", "alerts to it")) from None


def masked_url(url: str) -> str:
    """What a webhook URL shows in pages and the audit log: scheme and host, the rest elided."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def webhook_body(alert: Alert, tenant_slug: str) -> bytes:
    """The JSON a webhook destination receives."""
    text = f"*{alert.title}*\n{alert.text}" if alert.text else f"*{alert.title}*"
    payload = {"text": text, "patchbay": {"tenant": tenant_slug, **alert.as_dict()}}
    return json.dumps(payload, ensure_ascii=False).encode()


def _send_webhook(destination: AlertDestination, alert: Alert) -> None:
    stored = decrypt_secrets(destination.secrets_ciphertext)
    url, secret = stored.get("url", ""), stored.get("signing_secret", "")
    check_webhook_url(url)
    body = webhook_body(alert, destination.tenant.slug)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        "User-Agent": "Patchbay-Alerts/1.0",
    }
    try:
        # No redirects: a public URL must not bounce the request to a private one.
        response = httpx.post(
            url,
            content=body,
            headers=headers,
            timeout=settings.ALERT_WEBHOOK_TIMEOUT,
            follow_redirects=False,
        )
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"cannot reach the webhook ({type(error).__name__})") from None
    if response.status_code >= 300:
        answer = response.text[:MAX_ERROR_CHARS].strip()
        raise DeliveryFailed(f"the webhook answered {response.status_code} {answer}".strip())


def _send_email(destination: AlertDestination, alert: Alert) -> None:
    lines = [alert.text, "", *(f"{key}: {value}" for key, value in alert.details.items())]
    try:
        send_mail(
            subject=f"[Patchbay] {alert.title}"[:200],
            message="\n".join(lines).strip() + "\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[destination.target],
        )
    except OSError as error:  # smtplib's errors are OSErrors
        raise DeliveryFailed(f"the mail server refused the alert ({type(error).__name__})") from None


def deliver(destination: AlertDestination, alert: Alert) -> None:
    """Send `alert` to `destination` once; raise DeliveryFailed when it was not taken."""
    if destination.kind == DestinationKind.WEBHOOK:
        _send_webhook(destination, alert)
    else:
        _send_email(destination, alert)
