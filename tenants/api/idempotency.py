"""`Idempotency-Key` on POSTs: the same key and body from the same principal replays the first response.

A record is inserted *before* the handler runs; the unique constraint on
(tenant, principal, key) makes a concurrent duplicate fail to insert, so at
most one of them runs. The record stores the first response (not for 5xx,
which may be retried), never a secret in it (a view names those fields in
`idempotency_withheld`), and is purged by a beat task once 24 hours old.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.audit import Actor
from tenants.exceptions import IdempotencyKeyInProgress, IdempotencyKeyReused
from tenants.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255


class IdempotentReplay(Exception):
    """Raised before the handler runs when the first response should be replayed instead."""

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__("replay")
        self.record = record

    def response(self) -> Response:
        """The remembered response, marked as a replay."""
        return Response(
            self.record.response_body, status=self.record.status_code, headers={REPLAYED_HEADER: "true"}
        )


def _canonical(value: Any) -> Any:
    if isinstance(value, QueryDict):
        return {key: [_canonical(v) for v in value.getlist(key)] for key in sorted(value)}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "size": value.size, "sha256": digest.hexdigest()}
    return value


def request_fingerprint(request: Request) -> str:
    """sha256 of method, path and the parsed body: what "the same request" means."""
    body = json.dumps(_canonical(request.data), sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def begin(request: Request) -> IdempotencyRecord | None:
    """Claim the request's key before the handler runs; replay, refuse, or None without a key."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError({HEADER: [f"Give 1-{MAX_KEY_LENGTH} characters."]})
    scope = {"tenant": request.tenant, "principal": Actor.from_request(request).principal_key(), "key": key}
    fingerprint = request_fingerprint(request)
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(fingerprint=fingerprint, **scope)
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(**scope).first()
    if existing is not None and existing.created_at < timezone.now() - KEY_TTL:
        # Expired but not purged yet (purge_expired_records runs hourly): the key may start anew.
        IdempotencyRecord.objects.filter(pk=existing.pk).delete()
        return begin(request)
    if existing is None or existing.status_code is None:
        if existing is not None and existing.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        raise IdempotencyKeyInProgress()
    if existing.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    raise IdempotentReplay(existing)


def complete(
    record: IdempotencyRecord, response: Response, withheld: Mapping[str, str] | None = None
) -> None:
    """Remember the response for replays; a server error releases the key so a retry can run.

    `withheld` maps fields never stored (secrets shown once) to the message a replay gets instead.
    """
    if response.status_code >= 500:
        record.delete()
        return
    data = getattr(response, "data", None)
    body = None if data is None else json.loads(JSONRenderer().render(data))
    if isinstance(body, dict) and withheld:
        notes = [message for field, message in withheld.items() if body.pop(field, None) is not None]
        if notes:
            body["detail"] = " ".join(notes)
    record.status_code = response.status_code
    record.response_body = body
    record.save(update_fields=["status_code", "response_body"])


def purge_expired_records(now: datetime | None = None) -> int:
    """Delete every record older than the replay window; how many went."""
    cutoff = (now or timezone.now()) - KEY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
