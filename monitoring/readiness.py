"""The background parts of `/readyz`: beat ticked lately, and at least one worker answers.

Workers are pinged over the broker (`control.ping`) where it can broadcast
(Redis: production). kombu's SQLAlchemy transport (`make run`'s embedded broker)
cannot fan out, so there a worker counts as answering if it ran the
`monitoring.worker_heartbeat` task beat sends every HEARTBEAT_SECONDS.
"""

from __future__ import annotations

from kombu import Connection

from monitoring.heartbeats import allowed_silence, last_seen, seen_within
from monitoring.models import Component

#: seconds a ping waits for the first worker's answer (orchestrators time out after a few seconds)
PING_TIMEOUT = 1.0


def check_beat() -> str | None:
    """None if beat published a task within two heartbeat intervals, else why not."""
    if seen_within(Component.BEAT, allowed_silence()):
        return None
    seen = last_seen(Component.BEAT)
    if seen is None:
        return "beat has never ticked"
    return f"beat last ticked at {seen.isoformat()}, more than {allowed_silence():.0f}s ago"


def broker_can_broadcast(url: str) -> bool:
    """True for brokers that fan out (so `control.ping` reaches every worker)."""
    return "fanout" in Connection(url).transport.implements.exchange_type


def check_worker(broker_url: str) -> str | None:
    """None if at least one worker answered, else why not."""
    if broker_can_broadcast(broker_url):
        from controlplane.celery import app

        answers = app.control.ping(timeout=PING_TIMEOUT, limit=1)
        return None if answers else f"no worker answered a ping within {PING_TIMEOUT:.0f}s"
    if seen_within(Component.WORKER, allowed_silence()):
        return None
    return f"no worker ran the heartbeat task in the last {allowed_silence():.0f}s"
