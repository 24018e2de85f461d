"""The few domain errors every vendor's failures are translated into.

The engine decides from the class alone whether to retry (`retryable`), and
shows `str(error)` to people: messages carry the vendor's words and the
parameter at fault, never a secret.
"""

from __future__ import annotations


class VendorError(Exception):
    """A vendor call failed; `retryable` says whether trying again later can help."""

    retryable = False

    def __init__(self, message: str, *, vendor: str = "", request_id: str = "", field: str = "") -> None:
        super().__init__(message)
        self.vendor = vendor
        self.request_id = request_id
        self.field = field

    def __str__(self) -> str:
        prefix = f"{self.vendor}: " if self.vendor else ""
        return f"{prefix}{self.args[0]}"


class NotFound(VendorError):
    """The object does not exist (for deletes: already done)."""


class Conflict(VendorError):
    """The vendor refused because of the object's current state (in use, stale version, exists)."""


class InvalidSpec(VendorError):
    """The vendor rejected what we sent (a 400): fix the named parameter."""


class AuthFailed(VendorError):
    """Credentials were refused: the provider account needs attention."""


class Throttled(VendorError):
    """Rate limited; retry after `retry_after` seconds when the vendor said so."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: str) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class VendorUnavailable(VendorError):
    """A 5xx, a timeout or a refused connection: nothing was changed as far as we know."""

    retryable = True


class ResponseLost(VendorError):
    """The request may have been carried out but its answer never arrived (connection dropped)."""

    retryable = True
