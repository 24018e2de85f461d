"""Ladder latency (issue 15, item 5): from a simulated call's hang-up to its complete ladder in the API.

A connect_vapi integration is applied by a real Celery worker against the sandbox. A driver thread plays
Celery beat: every `CALLS_FETCH_TICK_SECONDS`, from a random phase, it runs `calls.fetch_recent_calls`
(the beat's task: which integrations are due), whose reads go to the real worker (two FilterLogEvents
each: the connector's SIP log and the SMA Lambda's log, in the sandbox's CloudWatch Logs). Calls go
through Connect → SMA Lambda → Voice Connector → Vapi (`POST /_sandbox/calls`, 2 s long), each after a
random wait, so they fall at random phases of the tick and of the integration's last read. The API
(`GET /api/v1/integrations/<id>/calls/`) is polled every `POLL_SECONDS`; the clock stops when the
call's ladder is there (`partial`: first seen, maybe settling) and when it says `"complete": true` with
every SIP message of the call (`complete`). Hang-up = the BYE's timestamp in the sandbox's answer.

Two scenarios:
- `idle`: each call is the first after a quiet spell (the integration is read every
  `CALLS_IDLE_FETCH_SECONDS`): the worst case, the one that was "up to 55 s". To avoid waiting 15
  minutes between calls, `CALLS_ACTIVE_WINDOW_SECONDS` is lowered to `IDLE_WINDOW` for this scenario.
- `active`: calls while the integration had a call in the last 15 minutes (read every
  `CALLS_ACTIVE_FETCH_SECONDS`).

What the sandbox does not model: CloudWatch's delivery delay (AWS.md documents none; the sandbox writes
each event at once and a read up to "now" sees it once its timestamp is past). On AWS the delay adds to
every number here; the overlap of each read (`CALLS_LOG_OVERLAP_SECONDS`) and the settling state keep
late events from being lost or a ladder from being called complete too early.

Environment: BENCH_LADDER_CALLS (idle calls, default 20), BENCH_LADDER_ACTIVE_CALLS (default 10),
BENCH_LADDER_SCHEDULE=current|old (old: the 10 s tick and 45 s idle interval before issue 15),
BENCH_SEED. Prints a table; JSON in bench/results/ladder_latency-<schedule>.json. No timing assertion:
it fails only if a ladder marked complete lacks a message of its call, or never completes.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from calls.models import CallLogCursor
from calls.tasks import fetch_recent_calls_task
from calls.tests.e2e_support import CALLER, sip_call_id
from tenants.choices import Role
from tenants.tests.factories import ApiTokenFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

RESULTS = Path(__file__).parent / "results"
CALL_SECONDS = 2
POLL_SECONDS = 0.25
#: the idle scenario's active window: a call this long after the last one finds the integration idle
IDLE_WINDOW = 12
#: a ladder not complete this long after its hang-up is a failure of the run, not a slow result
GIVE_UP_SECONDS = 240
SCHEDULES = {
    "current": {},
    "old": {
        "CALLS_FETCH_TICK_SECONDS": 10.0,
        "CALLS_ACTIVE_FETCH_SECONDS": 10,
        "CALLS_IDLE_FETCH_SECONDS": 45,
    },
}


class BeatDriver(threading.Thread):
    """Runs the beat's `calls.fetch_recent_calls` every `tick` seconds, starting at a random phase."""

    def __init__(self, tick: float, rng: random.Random) -> None:
        super().__init__(daemon=True)
        self.tick, self.phase = tick, rng.uniform(0, tick)
        self.stopped = threading.Event()
        self.ticks = 0

    def run(self) -> None:
        try:
            next_at = time.monotonic() + self.phase
            while not self.stopped.wait(max(0.0, next_at - time.monotonic())):
                fetch_recent_calls_task.apply()  # the due check here; the reads go to the worker
                self.ticks += 1
                next_at += self.tick
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=30)


def _at(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _filter_log_events(sandbox: Any, since: int) -> tuple[int, int]:
    """(FilterLogEvents requests answered since ledger index `since`, the ledger's next index)."""
    ledger = sandbox.ledger(since)
    reads = [r for r in ledger["requests"] if r["service"] == "logs" and r["operation"] == "FilterLogEvents"]
    return len(reads), ledger["next"]


def _one_call(sandbox: Any, setup: Any, api: APIClient) -> dict[str, Any]:
    _, ledger_at = _filter_log_events(sandbox, 0)
    placed = datetime.now(UTC)
    answered = sandbox.call(
        via="connect",
        to=setup.connect_phone_number,
        attributes={"CustomerName": "John", "Plan": "gold"},
        duration_seconds=CALL_SECONDS,
        **{"from": CALLER},
    )
    assert answered["status"] == 200, answered
    sip_labels = [m["label"] for m in answered["sip"]]
    hangup = _at(next(m["at"] for m in answered["sip"] if m["label"] == "BYE"))
    call_id = sip_call_id(answered["sip"][0]["raw"])
    url = f"/api/v1/integrations/{setup.integration.pk}/calls/"
    partial = complete = None
    while complete is None:
        assert time.time() - hangup < GIVE_UP_SECONDS, f"call {call_id} not complete after {GIVE_UP_SECONDS}s"
        response = api.get(url, {"since": placed.isoformat()})
        now = time.time()
        assert response.status_code == 200, response.content
        body = response.json()
        found = next((c for c in body.get("results", body) if c["call_id"] == call_id), None)
        if found is not None:
            partial = partial if partial is not None else now
            if found["complete"]:
                labels = [m["label"] for m in found["messages"] if m["direction"] != "internal"]
                assert labels == sip_labels, f"marked complete without all its messages: {labels}"
                complete = now
        time.sleep(POLL_SECONDS)
    reads, _ = _filter_log_events(sandbox, ledger_at)
    return {
        "call_id": call_id,
        "partial_s": round(partial - hangup, 2),
        "complete_s": round(complete - hangup, 2),
        "filter_log_events": reads,
    }


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    complete = [r["complete_s"] for r in rows]
    partial = [r["partial_s"] for r in rows]
    return {
        "calls": len(rows),
        "partial_p50_s": round(statistics.median(partial), 2),
        "partial_max_s": max(partial),
        "complete_p50_s": round(statistics.median(complete), 2),
        "complete_max_s": max(complete),
        "filter_log_events_per_call": round(statistics.mean(r["filter_log_events"] for r in rows), 2),
    }


def bench_ladder_latency(applied: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox, setup, _worker = applied
    schedule = os.environ.get("BENCH_LADDER_SCHEDULE", "current")
    overrides = SCHEDULES[schedule]
    for name, value in overrides.items():
        monkeypatch.setattr(settings, name, value)
    tick = float(overrides.get("CALLS_FETCH_TICK_SECONDS", settings.CALLS_FETCH_TICK_SECONDS))
    monkeypatch.setitem(
        settings.CELERY_BEAT_SCHEDULE,
        "fetch-recent-calls",
        {"task": "calls.fetch_recent_calls", "schedule": tick},
    )
    seed = int(os.environ.get("BENCH_SEED", str(random.randrange(1 << 30))))
    rng = random.Random(seed)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {ApiTokenFactory(tenant=setup.tenant, role=Role.OWNER).key}")
    driver = BeatDriver(tick, rng)
    driver.start()
    started, (_, ledger_start) = time.monotonic(), _filter_log_events(sandbox, 0)
    results: dict[str, list[dict[str, Any]]] = {"idle": [], "active": []}
    try:
        while not CallLogCursor.objects.filter(integration=setup.integration).exists():
            time.sleep(0.2)  # the integration's first read (15 minutes back) is done
        active_window = settings.CALLS_ACTIVE_WINDOW_SECONDS
        monkeypatch.setattr(settings, "CALLS_ACTIVE_WINDOW_SECONDS", IDLE_WINDOW)
        last_end = time.time()
        for _ in range(int(os.environ.get("BENCH_LADDER_CALLS", "20"))):
            # Idle again (the last call ended more than the window ago), then a random phase.
            time.sleep(max(0.0, last_end + IDLE_WINDOW + 1 - time.time()))
            time.sleep(rng.uniform(0, settings.CALLS_IDLE_FETCH_SECONDS))
            results["idle"].append(_one_call(sandbox, setup, api))
            last_end = time.time()
        monkeypatch.setattr(settings, "CALLS_ACTIVE_WINDOW_SECONDS", active_window)
        for _ in range(int(os.environ.get("BENCH_LADDER_ACTIVE_CALLS", "10"))):
            time.sleep(rng.uniform(0, settings.CALLS_ACTIVE_FETCH_SECONDS))
            results["active"].append(_one_call(sandbox, setup, api))
    finally:
        driver.stop()
    elapsed_min = (time.monotonic() - started) / 60
    total_reads, _ = _filter_log_events(sandbox, ledger_start)
    report = {
        "schedule": schedule,
        "tick_s": tick,
        "active_fetch_s": settings.CALLS_ACTIVE_FETCH_SECONDS,
        "idle_fetch_s": settings.CALLS_IDLE_FETCH_SECONDS,
        "call_seconds": CALL_SECONDS,
        "seed": seed,
        "filter_log_events_per_minute": round(total_reads / elapsed_min, 1),
        "scenarios": {name: _summary(rows) for name, rows in results.items() if rows},
        "calls": results,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"ladder_latency-{schedule}.json").write_text(json.dumps(report, indent=2))
    print(
        f"\nLadder latency, schedule {schedule!r}: tick {tick:g} s, active read every "
        f"{report['active_fetch_s']} s, idle every {report['idle_fetch_s']} s (seed {seed})"
    )
    header = ("scenario", "calls", "partial p50", "max", "complete p50", "max", "reads/call")
    print("{:<8} {:>5} {:>11} {:>6} {:>12} {:>6} {:>10}".format(*header))
    for name, row in report["scenarios"].items():
        cells = (name, row["calls"], row["partial_p50_s"], row["partial_max_s"], row["complete_p50_s"])
        cells += (row["complete_max_s"], row["filter_log_events_per_call"])
        print("{:<8} {:>5} {:>10.1f}s {:>5.1f}s {:>11.1f}s {:>5.1f}s {:>10}".format(*cells))
    print(
        f"FilterLogEvents per minute over the run (one integration): {report['filter_log_events_per_minute']}"
    )
