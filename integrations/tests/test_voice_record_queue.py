"""The voice webhook's records queued in Redis (integrations/hooks/record_queue.py), against a real Redis.

One round trip per call; a drain writes every record once, also after a drain was killed
mid-way, and a burst of calls schedules one drain, not one per call.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from integrations.hooks import record_queue
from integrations.hooks.call_records import write_record
from integrations.models import TwilioCallEvent, TwilioEventKind
from integrations.tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db

AT = "2026-12-04T12:00:00+00:00"


@pytest.fixture
def queue(settings: Any) -> Iterator[Any]:
    """A Redis list of this test's own (the machine's Redis: .ci/run starts it)."""
    settings.VOICE_RECORDS_REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    settings.CELERY_TASK_DEFAULT_QUEUE = f"pb-record-queue-{uuid.uuid4().hex[:8]}"
    connection = record_queue.client()
    assert connection is not None
    yield connection
    connection.delete(*record_queue.keys().values())


def _push(integration: Any, call_sid: str) -> bool | None:
    params = {"CallSid": call_sid, "From": "+12065550142", "outcome": "dialled"}
    return record_queue.push(integration.tenant_id, str(integration.pk), call_sid, params, AT)


def _sid(n: int) -> str:
    return "CA" + f"{n:032x}"


def _recorded(integration: Any) -> list[str]:
    rows = TwilioCallEvent.objects.filter(integration=integration, kind=TwilioEventKind.VOICE_WEBHOOK)
    return sorted(rows.values_list("call_sid", flat=True))


def test_a_burst_of_calls_asks_for_one_drain_and_the_drain_writes_each_call_once(queue: Any) -> None:
    integration = IntegrationFactory()

    asks = [_push(integration, _sid(n)) for n in range(25)]
    _push(integration, _sid(3))  # Twilio asked again for call 3 (its replay was not in the cache)

    assert asks[0] is True and not any(asks[1:]), "only the first record since a drain asks for one"
    written, more = record_queue.drain()
    assert (written, more) == (25, False)
    assert _recorded(integration) == sorted(_sid(n) for n in range(25))
    assert queue.llen(record_queue.keys()["records"]) == 0
    # The drain began by clearing the flag: the next call asks for a new drain.
    assert _push(integration, _sid(99)) is True


def test_a_drain_killed_mid_way_loses_nothing_and_duplicates_nothing(queue: Any) -> None:
    integration = IntegrationFactory()
    for n in range(5):
        _push(integration, _sid(n))
    names = record_queue.keys()
    # A drain took two records and died: one was written, the other not yet.
    taken = [queue.lmove(names["records"], names["processing"], "RIGHT", "LEFT") for _ in range(2)]
    first = json.loads(taken[0])
    write_record(first["t"], first["i"], first["c"], first["p"], first["a"])

    written, _ = record_queue.drain()

    assert written == 4  # the one already written is found there, not written twice
    assert _recorded(integration) == sorted(_sid(n) for n in range(5))
    assert queue.llen(names["processing"]) == 0


def test_one_drain_at_a_time_and_a_long_queue_is_drained_in_batches(queue: Any) -> None:
    integration = IntegrationFactory()
    for n in range(7):
        _push(integration, _sid(n))
    names = record_queue.keys()

    queue.set(names["lock"], "1")
    assert record_queue.drain() == (0, False), "a second drain leaves the queue to the first"
    queue.delete(names["lock"])

    assert record_queue.drain(batch=5) == (5, True)
    assert record_queue.drain(batch=5) == (2, False)
    assert len(_recorded(integration)) == 7


def test_a_record_this_code_did_not_write_is_dropped_not_retried_forever(queue: Any, caplog: Any) -> None:
    queue.lpush(record_queue.keys()["records"], b"not json")

    assert record_queue.drain() == (0, False)
    assert "could not be read" in caplog.text
    assert queue.llen(record_queue.keys()["processing"]) == 0


def test_without_redis_the_caller_is_told_to_publish_a_task(settings: Any) -> None:
    settings.VOICE_RECORDS_REDIS_URL = ""
    settings.REDIS_URL = ""

    assert record_queue.push(1, "x", _sid(1), {}, AT) is None
    assert record_queue.drain() == (0, False)


def test_the_first_answer_is_kept_and_its_record_queued_in_one_script(queue: Any) -> None:
    integration = IntegrationFactory()
    key = f"patchbay:test-answer:{uuid.uuid4().hex}"
    record = record_queue.encode(integration.tenant_id, str(integration.pk), _sid(1), {}, AT)

    first = record_queue.answer_once(queue, key, "first answer", 60, record)
    again = record_queue.answer_once(queue, key, "second answer", 60, record)
    third = record_queue.answer_once(queue, key, "third answer", 60, record)

    assert first == (True, None, True), "kept, queued, and the caller schedules the drain"
    assert again == third == (False, b"first answer", False), "a repeat gets the first answer back"
    assert queue.llen(record_queue.keys()["records"]) == 1, "a repeat queues no record"
    assert 0 < queue.ttl(key) <= 60
    # Another call's record while the first drain is pending: queued, no second drain.
    other = record_queue.answer_once(queue, key + "-other", "answer", 60, record)
    assert other == (True, None, False)
    assert record_queue.drain() == (1, False), "two records of one call are written once"
    queue.delete(key, key + "-other")
