"""The voice webhook's call records queued in Redis with one round trip, written by the worker in batches.

Publishing one Celery task per call cost the live call most of its time in the view
(issue 15, item 1: about 4.7 of 6.5 ms in-process, under load more: kombu builds a
message, draws three uuid4s and makes its own Redis round trips). The record is now
one `LPUSH` onto a list in the same Redis as the broker (as durable as a Celery
message there: kombu's Redis transport is an `LPUSH` too), done by a Lua script that
in the same round trip says whether a drain is already on its way. Only the first
record after a drain started publishes a drain task (`integrations.drain_voice_records`,
one second later), so under load a second's calls cost one Celery message, not one
each. The beat drains every `VOICE_RECORDS_DRAIN_SECONDS` too, in case that
message is lost.

A drain takes the list under a lock, one record at a time through a processing list
(`LMOVE`), so a worker killed mid-drain loses nothing: the next drain writes what the
processing list still holds first; the writes are idempotent per call
(integrations/hooks/call_records.py).

The list is named after the Celery queue (`CELERY_TASK_DEFAULT_QUEUE`), whose
workers drain it: test sessions and a `make run` on one Redis keep theirs apart.
Without Redis (`make run`'s embedded broker) there is no list: the record is
published as its own task, as before (integrations/hooks/call_log.py).
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import redis
from django.conf import settings

from integrations.hooks.call_records import write_record

logger = logging.getLogger(__name__)

#: LPUSH the record; then SET the "drain pending" flag unless set. 1: the caller schedules a drain.
_PUSH = """
redis.call('LPUSH', KEYS[1], ARGV[1])
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', tonumber(ARGV[2])) then return 1 end
return 0
"""
#: The voice webhook's whole Redis work for a call in one round trip (integrations/hooks/call_log.py
#: `answer_once`): keep the call's answer unless one is kept (replays.py's key, SET NX EX); when it
#: is, answer it back ({0, the kept answer}); else queue the record as _PUSH does ({1, 1}: the caller
#: schedules a drain; {1, 0}: a drain is coming).
_ANSWER_ONCE = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', tonumber(ARGV[2])) then
  return {0, redis.call('GET', KEYS[1])}
end
redis.call('LPUSH', KEYS[2], ARGV[3])
if redis.call('SET', KEYS[3], '1', 'NX', 'EX', tonumber(ARGV[4])) then return {1, 1} end
return {1, 0}
"""
#: the flag outlives a lost drain message by this much; the next record then schedules another
PENDING_SECONDS = 10
#: a drain waits this long after the first record, so it takes a batch
DRAIN_DELAY_SECONDS = 1.0
#: records one drain writes before it hands the rest to another drain task
DRAIN_BATCH = 1000
#: how long a drain holds the lock (it is released at the end; this bounds a killed drain's hold)
LOCK_SECONDS = 120

_clients: dict[str, redis.Redis] = {}
_lock = threading.Lock()


def _url() -> str:
    return str(settings.VOICE_RECORDS_REDIS_URL or "")


def client() -> redis.Redis | None:
    """The Redis the records are queued in (one connection pool per URL), None without Redis."""
    url = _url()
    if not url:
        return None
    with _lock:
        if url not in _clients:
            _clients[url] = redis.Redis.from_url(
                url, socket_connect_timeout=1.0, socket_timeout=2.0, health_check_interval=30
            )
        return _clients[url]


def keys() -> dict[str, str]:
    """The list, the pending flag, the processing list and the drain lock of this deployment's queue."""
    base = f"patchbay:voice-records:{settings.CELERY_TASK_DEFAULT_QUEUE}"
    return {
        "records": base,
        "pending": f"{base}:drain-pending",
        "processing": f"{base}:processing",
        "lock": f"{base}:drain-lock",
    }


def push(tenant_id: int, integration_id: str, call_sid: str, params: dict[str, Any], at: str) -> bool | None:
    """Queue one record. True: queued, and the caller must schedule a drain (none is on its way);
    False: queued, a drain is coming; None: there is no Redis (the caller publishes a task instead).

    Raises the Redis client's error when Redis refuses it (the caller logs it; the call is answered).
    """
    connection = client()
    if connection is None:
        return None
    names = keys()
    record = encode(tenant_id, integration_id, call_sid, params, at)
    return bool(connection.eval(_PUSH, 2, names["records"], names["pending"], record, PENDING_SECONDS))


def encode(tenant_id: int, integration_id: str, call_sid: str, params: dict[str, Any], at: str) -> str:
    """One record as the list holds it (what `drain` reads back)."""
    return json.dumps({"t": tenant_id, "i": integration_id, "c": call_sid, "p": params, "a": at})


def answer_once(
    connection: redis.Redis, replay_key: str, answer: str, replay_seconds: int, record: str
) -> tuple[bool, bytes | None, bool]:
    """Keep `answer` at `replay_key` for `replay_seconds` and queue `record`, unless an answer is kept
    there already: (first, the answer kept before when not first, whether the caller must schedule a
    drain). One round trip; raises the client's error when Redis refuses it."""
    names = keys()
    reply = connection.eval(
        _ANSWER_ONCE,
        3,
        *(replay_key, names["records"], names["pending"]),
        *(answer, replay_seconds, record, PENDING_SECONDS),
    )
    first, second = reply[0], reply[1]
    if first:
        return True, None, bool(second)
    return False, second, False


def drain(batch: int = DRAIN_BATCH) -> tuple[int, bool]:
    """Write queued records to the database: (how many were written, whether more are waiting).

    One drain at a time (a lock); the task that calls this queues another drain when more wait.
    """
    connection = client()
    if connection is None:
        return 0, False
    names = keys()
    if not connection.set(names["lock"], "1", nx=True, ex=LOCK_SECONDS):
        return 0, False  # another drain is at it; records pushed meanwhile are in its list
    written = 0
    try:
        # From here on a new record schedules a new drain: none is left waiting for this one.
        connection.delete(names["pending"])
        # What a killed drain had taken but maybe not written (written again: idempotent per call).
        for raw in connection.lrange(names["processing"], 0, -1):
            written += _write_and_forget(connection, names["processing"], raw)
        for _ in range(batch):
            taken = connection.lmove(names["records"], names["processing"], "RIGHT", "LEFT")
            if taken is None:
                break
            written += _write_and_forget(connection, names["processing"], taken)
        more = bool(connection.llen(names["records"]))
    finally:
        connection.delete(names["lock"])
    return written, more


def _write_and_forget(connection: redis.Redis, processing: str, raw: Any) -> int:
    """Write one record, then take it off the processing list (a failed write leaves it there)."""
    try:
        record = json.loads(raw)
        args = (int(record["t"]), str(record["i"]), str(record["c"]), dict(record["p"]), str(record["a"]))
    except (ValueError, KeyError, TypeError):  # not a record this code wrote: dropped, with a trace
        logger.error("a voice webhook record in Redis could not be read; dropped")
        stored = False
    else:
        stored = write_record(*args)
    connection.lrem(processing, 1, raw)
    return 1 if stored else 0
