"""`make soak`: attack a running Patchbay as issue 13 did, and print what each request cost.

    python -m bench.soak [--report var/soak/report.md] [--memory-bound-mb 300] [--keep]

Starts its own stack (bench/soak/stack.py: sandbox, gunicorn with 3 workers as docker-compose's web
service, a Celery worker, a temporary SQLite database), then sends the requests of
bench/soak/scenarios.py and prints a table of request → status → seconds → peak memory of the web
server, followed by checks of what the requests left behind (rows written, the web log). Exits 1
when a request got a 5xx or no answer, an unexpected status, took longer than its bound, or pushed a
gunicorn worker past the memory bound, or when a check failed. Takes two to three minutes.
"""

from __future__ import annotations

import argparse
import platform
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.soak.report import Row, table
from bench.soak.scenarios import FORGED_LOG_LINE, REPLAYS, Client, run_all
from bench.soak.stack import ROOT, Stack

DEFAULT_REPORT = ROOT / "var" / "soak" / "report.md"
#: the peak RSS a gunicorn worker may reach while serving one request (issue 13 saw 1.2 GB)
MEMORY_BOUND_MB = 300
#: the longest line the web log may hold after the webhook's vendor values were logged (issue 13 saw
#: a 2.4 MB line)
LOG_LINE_BOUND = 16 * 1024
#: the largest audit diff: counts fit easily, the Call-IDs of a 500-call trace do not (issue 13 found
#: 70,000 of them in one row)
AUDIT_ROW_BOUND = 4 * 1024
ROWS_SETTLE_SECONDS = 20.0


def written_rows(stack: Stack) -> dict[str, Any]:
    """What the requests wrote, once written: call records are written off the request (a background
    thread of each web process, or a task of the worker), so read until two reads agree and the
    signed call's record is there, or until ROWS_SETTLE_SECONDS."""
    deadline = time.monotonic() + ROWS_SETTLE_SECONDS
    counted = stack.rows()
    while time.monotonic() < deadline:
        time.sleep(1.0)
        again = stack.rows()
        if again == counted and again["events"].get("voice_webhook"):
            break
        counted = again
    return counted


def checks(stack: Stack) -> list[tuple[str, str, bool]]:
    """(check, what was found, passed) for what the requests left behind."""
    written = written_rows(stack)
    events = written["events"]
    voice = events.get("voice_webhook", 0)
    lines = stack.log_path("web").read_bytes().splitlines()
    longest = max((len(line) for line in lines), default=0)
    forged = sum(line.startswith(FORGED_LOG_LINE.encode()) for line in lines)
    return [
        (
            f"voice webhook rows: 1 (the signed call; its {REPLAYS} replays and refused requests write none)",
            f"{voice} ({', '.join(f'{k} {v}' for k, v in sorted(events.items())) or 'no rows'})",
            voice == 1,
        ),
        (
            f"audit rows hold counts: none over {AUDIT_ROW_BOUND // 1024} KB (after a 500-call trace)",
            f"largest {written['largest_audit_bytes']:,} bytes ({written['largest_audit_action']})",
            written["largest_audit_bytes"] <= AUDIT_ROW_BOUND,
        ),
        (
            "web log: no line forged by a CallSid's newline",
            f"{forged} forged line(s)",
            forged == 0,
        ),
        (
            f"web log: no line longer than {LOG_LINE_BOUND // 1024} KB (a 2.4 MB CallSid was sent)",
            f"longest line {longest:,} bytes",
            longest <= LOG_LINE_BOUND,
        ),
    ]


def commit() -> str:
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def passed(rows: list[Row], found: list[tuple[str, str, bool]], memory_bound_mb: int) -> bool:
    return all(ok for *_, ok in found) and not any(row.problems(memory_bound_mb) for row in rows)


def render(rows: list[Row], found: list[tuple[str, str, bool]], memory_bound_mb: int, seconds: float) -> str:
    lines = [
        f"# Soak {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit()}, {platform.node()}",
        "",
        f"gunicorn, 3 sync workers, SQLite; peak RSS of the worker that served the request "
        f"(bound {memory_bound_mb} MB), +MB its growth during the request; seconds per request "
        "(repeated rows: the slowest).",
        "",
        table(rows, memory_bound_mb),
        "",
        "| check | found | result |",
        "|---|---|---|",
        *(f"| {name} | {what} | {'ok' if ok else 'FAILED'} |" for name, what, ok in found),
        "",
        f"{'PASSED' if passed(rows, found, memory_bound_mb) else 'FAILED'} in {seconds:.0f} s.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT, help=f"default {DEFAULT_REPORT}")
    parser.add_argument("--memory-bound-mb", type=int, default=MEMORY_BOUND_MB)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, database)")
    args = parser.parse_args(argv)
    # SIGTERM (make interrupted, a CI timeout) unwinds like Ctrl-C, so the stack is stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = time.monotonic()
    print("soak: starting sandbox, migrating, seeding, starting gunicorn and a worker ...", flush=True)
    with Stack(keep=args.keep) as stack:
        print(f"soak: stack up at {stack.base_url} (directory {stack.directory})", flush=True)
        client = Client(stack.host, stack.port, stack.seeded, stack.web_workers)
        run_all(client)
        found = checks(stack)
        report = render(client.rows, found, args.memory_bound_mb, time.monotonic() - started)
        failed = not passed(client.rows, found, args.memory_bound_mb)
        if failed:
            stack.keep = True
    sys.stdout.write("\n" + report)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report)
    print(f"\nsoak: report written to {args.report}")
    if failed:
        print(f"soak: logs and database kept in {stack.directory}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
