"""Resets and views of module-level caches, for tests and benchmarks (production code never calls them)."""

from __future__ import annotations


def forget_tokens() -> None:
    """Drop every cached Genesys token (a rotated client secret is a new cache key anyway)."""
    from integrations.vendors import genesys

    with genesys._tokens_lock:
        genesys._tokens.clear()


def forget_samples() -> None:
    """Start sampling refused Twilio webhooks afresh (integrations/hooks/rejections.py)."""
    from integrations.hooks import rejections

    with rejections._lock:
        rejections._last_recorded.clear()
        rejections._unrecorded.clear()


def cached_public_ids() -> list[str]:
    """The webhook public ids currently cached (integrations/hooks/cache.py), oldest first."""
    from integrations.hooks import cache

    with cache._lock:
        return list(cache._entries)


def forget_breakers() -> None:
    """Close every prepare_inbound circuit breaker (integrations/hooks/breaker.py)."""
    from integrations.hooks import breaker

    with breaker._lock:
        breaker._states.clear()
        breaker._in_flight.clear()


def forget_voice_records() -> None:
    """Empty this session's queue of voice webhook records in Redis and its "drain pending" flag
    (integrations/hooks/record_queue.py): a record an earlier test queued, which no worker drained,
    must not make this test's first call wait for a drain that will never come."""
    from integrations.hooks import record_queue

    connection = record_queue.client()
    if connection is not None:
        connection.delete(*record_queue.keys().values())
