"""Errors users can see, each with a status and a code; tenants/api/errors.py turns them into JSON."""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import APIException


class Conflict(APIException):
    """The change contradicts the current state (e.g. removing the last owner)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class IdempotencyKeyReused(APIException):
    """An Idempotency-Key already used for a request with a different body."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_key_reused"


class IdempotencyKeyInProgress(APIException):
    """The first request with this Idempotency-Key has not finished yet."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still in progress; retry shortly."
    default_code = "idempotency_key_in_progress"
