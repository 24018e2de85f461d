"""One listing per (vendor account, resource type) per reconcile pass, shared by its integrations.

Why: a no-op reconcile reads each object by id (issue 15: about 13 vendor calls per integration at
N=100). Integrations of one tenant usually share the tenant's vendor accounts, so one listing of an
account's credentials answers every integration's read-by-id on that account. Issue 15, item 2.

How it is kept safe:

- Only while the engine observes in a reconcile run (`sharing()`, switched on by
  integrations/engine/executor.py, as it switches on `engine_owns_retries` in http.py: the engine
  imports the vendors, never the other way) may a read-by-id be answered from a listing. Applies, plans,
  diagnostics, pickers and everything else read directly.
- A listing is a hint. The executor acts only on a shared observation that says "exists and up to
  date"; anything else (missing, or a diff) is observed again with sharing off, so a stale listing
  costs a second read, never a wrong write. An id missing from the listing is read directly (the
  object may be newer than the listing).
- What a stale listing can hide: a change made at the vendor after the listing was taken, to an
  object the listing shows in sync, is seen by the integration's next reconcile instead of this
  one (a listing lives at most `RECONCILE_SHARED_LIST_SECONDS`, by default one beat tick).
- A listing is fetched at most once per `RECONCILE_SHARED_LIST_SECONDS` per account and listing
  (a time bucket in the key) and kept in Django's cache: Redis in production, so every worker shares
  it; per process with the LocMem default. 0 turns sharing off.
- The key holds a sha256 of the account's identity *including its secret*: two Patchbay accounts that
  name one vendor account but hold different keys never share (a tenant who typed someone else's
  Twilio Account SID must not read that account's numbers from the cache). Neither the secret nor
  the vendor's answer is ever logged.
- Listings over `MAX_SHARED_ITEMS` are not kept (every read is direct for that bucket), and a cache or
  listing failure falls back to direct reads: sharing is an optimisation only.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache

from integrations.vendors.errors import VendorError

logger = logging.getLogger(__name__)

#: items above which a listing is not kept (its size in the cache, and the cost of one pickle)
MAX_SHARED_ITEMS = 2000

#: the clock of the time buckets (a module attribute, so a test can move it without moving time.time)
clock: Callable[[], float] = time.time

_sharing: ContextVar[bool] = ContextVar("shared_reads", default=False)


@contextmanager
def sharing(enabled: bool = True) -> Iterator[None]:
    """While inside (in this thread or a copy of its context), reads-by-id may use a shared listing."""
    token = _sharing.set(enabled)
    try:
        yield
    finally:
        _sharing.reset(token)


def is_sharing() -> bool:
    """Whether reads-by-id here may be answered from a shared listing (on and not disabled)."""
    return _sharing.get() and settings.RECONCILE_SHARED_LIST_SECONDS > 0


def account_identity(vendor: str, base_url: str, *parts: str) -> str:
    """`vendor:<sha256>` of the vendor, its base URL and the account's identifying values and secret."""
    digest = hashlib.sha256("\0".join((vendor, base_url, *parts)).encode()).hexdigest()
    return f"{vendor}:{digest}"


def _key(identity: str, listing: str, bucket: int) -> str:
    return f"shared-list:{identity}:{listing}:{bucket}"


def shared_item(
    identity: str,
    listing: str,
    item_id: str,
    fetch: Callable[[], Sequence[Mapping[str, Any]]],
    id_field: str = "id",
) -> Mapping[str, Any] | None:
    """The raw item `item_id` from the account's shared `listing`, or None: then read it directly.

    `fetch` returns the listing's items as the vendor answered them (raw JSON, so a cached listing
    survives a deploy that changes the client's dataclasses). It is called by at most one reader per
    bucket: a reader that finds another filling the listing reads directly instead of waiting, and
    when the listing fails (a vendor error, the cache away) every read of that bucket is direct.
    """
    if not item_id or not is_sharing():
        return None
    seconds = float(settings.RECONCILE_SHARED_LIST_SECONDS)
    key = _key(identity, listing, int(clock() // seconds))
    timeout = max(1, int(seconds))
    try:
        items = cache.get(key)
        if items is None:
            if not cache.add(f"{key}:filling", 1, timeout=timeout):
                return None
            items = _fetched(fetch, id_field, listing)
            if items is None:
                return None
            cache.set(key, items, timeout=timeout)
    except Exception:  # the cache is an optimisation: Redis away means direct reads
        logger.warning("shared listing %s unavailable; reading directly", listing, exc_info=True)
        return None
    found = items.get(item_id)
    return found if isinstance(found, Mapping) else None


def _fetched(
    fetch: Callable[[], Sequence[Mapping[str, Any]]], id_field: str, listing: str
) -> dict[str, Mapping[str, Any]] | None:
    """The listing by id; {} when too big to keep (reads are direct this bucket); None when it failed."""
    try:
        listed = fetch()
    except VendorError as error:
        logger.info("shared listing %s failed (%s); reading directly", listing, type(error).__name__)
        return None
    if len(listed) > MAX_SHARED_ITEMS:
        logger.info("shared listing %s has %s items; reading directly", listing, len(listed))
        return {}
    return {str(item.get(id_field) or ""): item for item in listed}
