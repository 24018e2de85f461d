"""Failed dashboard logins, counted per account and per client address in the shared cache.

After `LOGIN_FAILURE_LIMIT` failures for one account (or `LOGIN_ADDRESS_FAILURE_LIMIT`
from one address) within `LOGIN_LOCKOUT_SECONDS`, further attempts are refused
without checking the password until the lockout ends by itself. A successful
login clears the account's count, never the address's (one known password must
not buy an address more guesses at other accounts).

A small throttle on Django's cache rather than django-axes: axes' cache handler
refuses per-process caches (which `make run` and the tests use), leaving its
database handler, with its own tables, a row per attempt and an authentication
backend that `Client.login()` cannot pass; this needs none of that.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

KEY_PREFIX = "login-throttle"


def clock() -> float:
    """Seconds since the epoch (tests move it forward instead of waiting)."""
    return time.time()


def client_address(request: HttpRequest) -> str:
    """The address the request came from: REMOTE_ADDR, or the proxy's last X-Forwarded-For entry."""
    if settings.TRUST_X_FORWARDED_FOR:
        # The right-most entry is the one our own proxy appended; entries left of it are client-supplied.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@dataclass(frozen=True)
class Counter:
    """One failure count (of an account or an address) and the lockout it leads to."""

    name: str
    limit: int

    @property
    def count_key(self) -> str:
        return f"{KEY_PREFIX}:count:{self.name}"

    @property
    def lock_key(self) -> str:
        return f"{KEY_PREFIX}:lock:{self.name}"

    def locked_until(self) -> float | None:
        until = cache.get(self.lock_key)
        return until if until is not None and until > clock() else None

    def fail(self) -> None:
        window = settings.LOGIN_LOCKOUT_SECONDS
        cache.add(self.count_key, 0, timeout=window)
        try:
            failures = cache.incr(self.count_key)
        except ValueError:  # expired between add and incr
            failures = 1
            cache.set(self.count_key, failures, timeout=window)
        if failures >= self.limit:
            cache.set(self.lock_key, clock() + window, timeout=window)
            cache.delete(self.count_key)

    def clear(self) -> None:
        cache.delete_many([self.count_key, self.lock_key])


class LoginThrottle:
    """The account and address counters of one login attempt."""

    def __init__(self, username: str, address: str) -> None:
        account = hashlib.sha256(username.strip().lower().encode()).hexdigest()
        self.account = Counter(f"account:{account}", settings.LOGIN_FAILURE_LIMIT)
        self.address = Counter(f"address:{address}", settings.LOGIN_ADDRESS_FAILURE_LIMIT)

    @classmethod
    def for_request(cls, request: HttpRequest, username: str) -> LoginThrottle:
        """The counters for `username` logging in from the request's address."""
        return cls(username, client_address(request))

    def wait_seconds(self) -> int:
        """Seconds until attempts are accepted again; 0 when they are now."""
        until = max((t for t in (self.account.locked_until(), self.address.locked_until()) if t), default=0)
        return max(0, math.ceil(until - clock())) if until else 0

    def failed(self) -> None:
        """Count a wrong password."""
        self.account.fail()
        self.address.fail()

    def succeeded(self) -> None:
        """Forget the account's failures."""
        self.account.clear()


def lockout_message(seconds: int) -> str:
    """What a refused login attempt is told."""
    minutes = max(1, math.ceil(seconds / 60))
    return (
        "Too many failed logins for this account or from this address. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )
