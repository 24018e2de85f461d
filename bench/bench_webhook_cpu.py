"""Benchmark (issue 15, item 1): CPU time per signed voice webhook call, in-process, beside its floors.

bench/bench_webhook_http.py measures what Twilio meets over HTTP, but on a shared 2-core machine its
latencies move with everything else running (wrk and the servers share the cores). This one calls the
three WSGI apps directly in one process (bench/webhook_cpu.py): the bare floor, Django's floor (the
lean hooks handler with a trivial view) and the webhook (prepare_inbound off), alternating
BENCH_CPU_ROUNDS times (5) over BENCH_CPU_CALLS fresh signed calls (1000), and reports CPU
milliseconds per call and their ratios: what Django's request cycle costs, and what the webhook's own
work (signature, replay and call record in Redis, TwiML, log line) adds. Same stack as the HTTP
benchmark (bench/soak/stack.py with a private Redis). Times are reported, never asserted; it fails on
an answer that is not 200. JSON: bench/results/webhook-cpu-*.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import scale_support as support
from bench.soak.stack import Stack

ROUNDS = int(os.environ.get("BENCH_CPU_ROUNDS", "5"))
CALLS = int(os.environ.get("BENCH_CPU_CALLS", "1000"))
ROOT = Path(__file__).resolve().parent.parent


def bench_webhook_cpu_per_call(capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed: apt-get install redis-server")
    with Stack(workers=1, threads=1, redis=True, access_log=False) as stack:
        done = subprocess.run(
            [sys.executable, "-m", "bench.webhook_cpu", str(ROUNDS), str(CALLS)],
            cwd=ROOT,
            env={**stack.env, "BENCH_SEEDED": json.dumps(stack.seeded)},
            capture_output=True,
            text=True,
            timeout=1800,
            check=True,
        )
    line = next(line for line in done.stdout.splitlines() if line.startswith("CPU-JSON "))
    report = json.loads(line.removeprefix("CPU-JSON "))
    median = report["median_ms"]
    # The bare floor in-process is a few microseconds (no HTTP): the ratio that means something here is
    # to Django's floor, the request cycle every Django view pays.
    rows = [[name, f"{ms:.3f}", ms / median["django floor"]] for name, ms in median.items()]
    path = support.write_json("webhook-cpu", report)
    with capsys.disabled():
        print(f"\n\nVoice webhook CPU per call, in-process, median of {ROUNDS} rounds of {CALLS} calls")
        print(support.table(["app", "cpu ms/call", "x Django floor"], rows))
        print(f"JSON: {path}")
    assert set(report["statuses"]) == {"200 OK"}, report["statuses"]
