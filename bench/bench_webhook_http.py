"""Benchmark of the Twilio voice webhook over HTTP (issue 15, item 1): Patchbay under gunicorn against a
bare WSGI app answering the same TwiML bytes under the same gunicorn settings, driven by wrk.

The stack is bench/soak/stack.py's (sandbox, migrated SQLite database, a Celery
worker, gunicorn in production settings) with a private redis-server as broker
and cache, as docker-compose runs it, and no access log. Both servers run 2
workers x 4 threads; wrk (2 threads, `--latency`, bench/webhook_http.lua) sends
each a file of calls signed beforehand, a fresh CallSid each, so no call is a
replay. Rows:

- floor and webhook (prepare_inbound off), alternating ROUNDS times at 50
  connections; the summary takes the median of the rounds, and the ratios
  webhook / floor of p50, p99 and throughput;
- prepare_inbound on, against the sandbox's Synthflow: every answer `<Sip>`;
- the sandbox's Synthflow stalled (a latency fault longer than
  SYNTHFLOW_PREPARE_TIMEOUT on PrepareInbound): every answer the fallback,
  the slowest within its budget: the prepare timeout plus the slowest answer
  of the webhook rounds (the queueing these shared cores add to any call);
  integrations/hooks/breaker.py is what keeps the calls queued behind the
  first stalled ones from waiting a timeout each;
- 200 connections (prepare_inbound off): every answer 2xx.

It fails on a wrong answer (non-2xx, a `<Sip>` missing or a fallback missing,
a replayed call) or a fallback slower than its budget; the p99 target
(TARGET_P99_RATIO x the floor) is reported, not asserted (the cores are
shared). The table is printed and written, with every run, to
bench/results/webhook_http.json. Run with `make bench`.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.soak.stack import Stack, free_port
from bench.webhook_http import WRK, Webhook, WrkResult, run_wrk
from testing.waits import wait_until

WORKERS, THREADS = 2, 4
CONNECTIONS = 50
BURST_CONNECTIONS = 200
SECONDS = 8
WARMUP_SECONDS = 2
ROUNDS = 3
#: calls prepared per run: more than a run can send at the floor's pace
CALLS_PER_RUN = 120_000
CALLS_SLOW = 4_000
#: enough distinct calls for the bare floor's warm-up on a quiet machine (~20k requests/s at most)
WARMUP_CALLS = 40_000
#: the stalled case answers the fallback at once once the breaker is open: as many calls as a warm-up
STALLED_CALLS = WARMUP_CALLS
TARGET_P99_RATIO = 2.0
#: Synthflow's stall: longer than SYNTHFLOW_PREPARE_TIMEOUT (2 s, production's default; the stack's too)
STALL_MS = 6_000
PREPARE_TIMEOUT = 2.0
RESULTS = Path(__file__).with_name("results")


def webhook_of(base_url: str, seeded: dict[str, Any]) -> Webhook:
    fields = ("public_id", "account_sid", "auth_token", "twilio_number")
    return Webhook(base_url, **{name: seeded[name] for name in fields})


def wait_for(url: str, deadline: float) -> None:
    """Until `url` answers at all, by the monotonic `deadline`."""

    def answers() -> bool:
        try:
            httpx.get(url, timeout=2)
        except httpx.HTTPError:
            return False
        return True

    wait_until(answers, timeout=deadline - time.monotonic(), message=f"{url} never answered")


def one_answer(webhook: Webhook) -> bytes:
    """The webhook's TwiML for one signed call (what the floor answers)."""
    requests_file = webhook.write_requests(Path(f"/tmp/one-{webhook.public_id}.txt"), 1)
    signature, body = requests_file.read_text().strip().split("\t", 1)
    requests_file.unlink()
    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
    answer = httpx.post(f"{webhook.base_url}{webhook.path}", content=body, headers=headers, timeout=10)
    assert answer.status_code == 200 and b"<Sip" in answer.content, (answer.status_code, answer.content)
    return answer.content


class Runner:
    """wrk runs against one stack, each with a fresh file of signed calls."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.runs: list[WrkResult] = []
        self.count = 0

    def run(self, name: str, webhook: Webhook, *, calls: int = CALLS_PER_RUN, **options: Any) -> WrkResult:
        self.count += 1
        requests_file = webhook.write_requests(self.directory / f"calls-{self.count}.txt", calls)
        options.setdefault("connections", CONNECTIONS)
        options.setdefault("seconds", SECONDS)
        result = run_wrk(name, webhook.base_url, webhook.path, requests_file, **options)
        requests_file.unlink()
        assert result.non_2xx == 0 and result.socket_errors == 0 and result.timeouts == 0, result
        assert result.reused == 0, f"{name}: ran out of distinct calls: {result}"
        self.runs.append(result)
        return result


def median_row(name: str, rows: list[WrkResult]) -> dict[str, float | str]:
    return {
        "name": name,
        "p50": statistics.median(r.p50 for r in rows),
        "p99": statistics.median(r.p99 for r in rows),
        "per_second": statistics.median(r.per_second for r in rows),
        "requests": sum(r.requests for r in rows),
    }


def table(summary: list[dict[str, Any]], extras: list[WrkResult], notes: list[str]) -> str:
    head = f"{'case':<48} {'conns':>5} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}"
    lines = ["", f"Twilio voice webhook over HTTP: gunicorn {WORKERS} workers x {THREADS} threads, wrk", head]
    for row in summary:
        lines.append(
            f"{row['name']:<48} {CONNECTIONS:>5} {row['requests']:>8} {row['p50'] * 1e3:>8.2f} "
            f"{row['p99'] * 1e3:>8.2f} {row['per_second']:>8.0f}"
        )
    for run in extras:
        lines.append(
            f"{run.name:<48} {run.connections:>5} {run.requests:>8} {run.p50 * 1e3:>8.2f} "
            f"{run.p99 * 1e3:>8.2f} {run.per_second:>8.0f}"
        )
    return "\n".join([*lines, *notes])


def _gunicorn(app: str, host: str, port: int) -> list[str]:
    """gunicorn serving `app` with Patchbay's workers and threads."""
    return [
        *(sys.executable, "-m", "gunicorn", app),
        *("--bind", f"{host}:{port}", "--workers", str(WORKERS), "--threads", str(THREADS)),
    ]


def bench_webhook_http(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Floor and webhook alternating at 50 connections, then prepare_inbound, a stalled Synthflow, 200
    connections; fails on a wrong answer, never on a time except the fallback's budget."""
    for tool in (WRK, "redis-server"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is needed: apt-get install wrk redis-server")
    stack = Stack(workers=WORKERS, threads=THREADS, redis=True, access_log=False)
    with stack:
        plain = webhook_of(stack.base_url, stack.seeded)
        prepared = webhook_of(
            stack.base_url, stack.add_integration("bench-prepared", {"prepare_inbound": True})
        )
        twiml_file = tmp_path / "floor.xml"
        twiml_file.write_bytes(one_answer(plain))
        stack.env["BENCH_FLOOR_TWIML"] = str(twiml_file)
        floor_port = free_port()
        stack.start_process("floor", _gunicorn("bench.webhook_http:floor_app", stack.host, floor_port))
        floor = dataclasses.replace(plain, base_url=f"http://{stack.host}:{floor_port}")
        wait_for(f"{floor.base_url}/", time.monotonic() + 60)
        django_port = free_port()
        stack.start_process(
            "django floor", _gunicorn("bench.django_floor:application", stack.host, django_port)
        )
        django_floor = dataclasses.replace(plain, base_url=f"http://{stack.host}:{django_port}")
        wait_for(f"{django_floor.base_url}/hooks/twilio/voice/{plain.public_id}", time.monotonic() + 60)
        runner = Runner(tmp_path)
        for warm in (floor, django_floor, plain):
            runner.run("warm-up", warm, seconds=WARMUP_SECONDS, calls=WARMUP_CALLS)
        floors, django_floors, webhooks = [], [], []
        for index in range(ROUNDS):
            floors.append(runner.run(f"floor, round {index + 1}", floor))
            django_floors.append(runner.run(f"Django floor, round {index + 1}", django_floor))
            webhooks.append(runner.run(f"webhook, round {index + 1}", plain))
        on = runner.run("webhook, prepare_inbound on (sandbox)", prepared, calls=CALLS_SLOW, classify=True)
        assert on.dialed == on.requests, on
        # wrk leaves requests in flight when it stops; let them finish against a healthy Synthflow, so
        # the stall below starts with every breaker closed and its first wave pays the whole timeout.
        time.sleep(PREPARE_TIMEOUT)
        fault = httpx.post(
            f"{stack.sandbox_url}/_sandbox/faults",
            json={
                "vendor": "synthflow",
                "operation": "PrepareInbound",
                "mode": "latency",
                "latency_ms": STALL_MS,
                "times": 0,
            },
            timeout=10,
        )
        fault.raise_for_status()
        stalled = runner.run(
            "webhook, Synthflow stalled (fallback)", prepared, calls=STALLED_CALLS, classify=True, timeout=30
        )
        httpx.delete(f"{stack.sandbox_url}/_sandbox/faults", timeout=10).raise_for_status()
        burst = runner.run(
            "webhook, 200 connections",
            plain,
            connections=BURST_CONNECTIONS,
            classify=True,
        )
    floor_row, django_row, webhook_row = (
        median_row("bare WSGI floor (median of rounds)", floors),
        median_row("Django floor: lean hooks handler, trivial view (median)", django_floors),
        median_row("webhook, prepare_inbound off (median of rounds)", webhooks),
    )
    budget = PREPARE_TIMEOUT + max(run.max for run in webhooks)
    ratios = {key: webhook_row[key] / floor_row[key] for key in ("p50", "p99", "per_second")}
    django_ratios = {key: django_row[key] / floor_row[key] for key in ("p50", "p99", "per_second")}
    notes = [
        f"webhook / floor: p50 {ratios['p50']:.2f}x, p99 {ratios['p99']:.2f}x, throughput "
        f"{ratios['per_second']:.2f}x (target: p99 <= {TARGET_P99_RATIO:g}x: "
        f"{'met' if ratios['p99'] <= TARGET_P99_RATIO else 'NOT met'})",
        f"Django floor / floor: p50 {django_ratios['p50']:.2f}x, p99 {django_ratios['p99']:.2f}x, throughput "
        f"{django_ratios['per_second']:.2f}x (what Django's request cycle costs before any webhook work)",
        f"stalled Synthflow: {stalled.fallbacks}/{stalled.requests} fallbacks, slowest {stalled.max:.2f} s "
        f"(budget {budget:.2f} s: the {PREPARE_TIMEOUT:g} s timeout + the slowest webhook round answer); "
        f"200 connections: {burst.requests - burst.others}/{burst.requests} 2xx",
    ]
    with capsys.disabled():
        print(table([floor_row, django_row, webhook_row], [on, stalled, burst], notes))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "webhook_http.json").write_text(
        json.dumps(
            {
                "workers": WORKERS,
                "threads": THREADS,
                "summary": [floor_row, django_row, webhook_row],
                "ratios": ratios,
                "django_floor_ratios": django_ratios,
                "fallback_budget": budget,
                "runs": [run.as_dict() for run in runner.runs],
            },
            indent=1,
        )
    )
    assert stalled.fallbacks == stalled.requests, stalled
    assert stalled.max <= budget, f"a fallback took {stalled.max:.2f} s, over its {budget:.2f} s"
    assert burst.others == 0, burst
