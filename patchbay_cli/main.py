"""`patchbay plan|apply|export|runs watch`: the commands, their options and exit statuses.

Exit statuses follow `terraform plan -detailed-exitcode`: 0 success with no changes, 1 error,
2 success with changes (plan only). `apply --wait` and `runs watch` exit 1 when a run fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from patchbay_cli.client import Client, CliError
from patchbay_cli.render import FINISHED, Bars, apply_text, bar, plan_text

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
#: seconds between two polls of a run (the dashboard's progress bar polls about as often)
POLL_SECONDS = 1.0


def _read(paths: list[str]) -> str:
    """The files as one YAML stream (a JSON file is YAML too), one document group per file."""
    texts = []
    for path in paths:
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CliError(f"{path}: {error.strerror if isinstance(error, OSError) else error}") from None
        texts.append(text if text.endswith("\n") else text + "\n")
    return "---\n".join(texts)


def _follow(client: Client, runs: dict[str, str], out: TextIO, deadline: float) -> bool:
    """Poll the runs (id → label) until each has finished; True when all succeeded."""
    bars = Bars(out)
    states: dict[str, dict[str, Any]] = {}
    while True:
        for run_id in runs:
            if states.get(run_id, {}).get("state") not in FINISHED:
                states[run_id] = client.run(run_id)
        bars.show({run_id: bar(label, states[run_id]) for run_id, label in runs.items()})
        if all(state["state"] in FINISHED for state in states.values()):
            break
        if time.monotonic() > deadline:
            raise CliError("gave up waiting for the runs (--timeout); they go on on the server")
        time.sleep(POLL_SECONDS)
    failed = [run_id for run_id, state in states.items() if state["state"] != "succeeded"]
    for run_id in failed:
        message = " ".join((states[run_id].get("message") or "no message").split())
        out.write(f"{runs[run_id]}: run {run_id} failed: {message}\n")
    return not failed


def cmd_plan(client: Client, args: argparse.Namespace, out: TextIO) -> int:
    answer = client.declare(_read(args.files), dry_run=True, prune=args.prune)
    out.write(plan_text(answer) + "\n")
    return EXIT_CHANGES if answer["changed"] else EXIT_OK


def cmd_apply(client: Client, args: argparse.Namespace, out: TextIO) -> int:
    answer = client.declare(_read(args.files), dry_run=False, prune=args.prune)
    out.write(apply_text(answer) + "\n")
    runs = {
        entry["run"]["id"]: f"{entry['name']} {entry['run']['kind']}"
        for entry in answer["integrations"]
        if entry.get("run") and entry["run"]["state"] not in FINISHED
    }
    if not args.wait or not runs:
        return EXIT_OK
    return EXIT_OK if _follow(client, runs, out, time.monotonic() + args.timeout) else EXIT_ERROR


def cmd_export(client: Client, args: argparse.Namespace, out: TextIO) -> int:
    media_type = "application/json" if args.format == "json" else "application/yaml"
    text = client.export(args.name, media_type)
    out.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


def cmd_watch(client: Client, args: argparse.Namespace, out: TextIO) -> int:
    shown = 0
    deadline = time.monotonic() + args.timeout
    last_bar = ""
    while True:
        run = client.run(args.run_id)
        events = run.get("events") or []
        for event in events[shown:]:
            message = " ".join((event.get("message") or "").split())
            out.write(
                f"  {event.get('node') or 'run'}: {event['action']} {event['outcome']} {message}".rstrip()
            )
            out.write("\n")
        shown = len(events)
        line = bar(f"{run['kind']} of {run.get('integration_name', '')}", run)
        if line != last_bar:
            out.write(line + "\n")
            last_bar = line
        out.flush()
        if run["state"] in FINISHED:
            return EXIT_OK if run["state"] == "succeeded" else EXIT_ERROR
        if time.monotonic() > deadline:
            raise CliError(f"gave up waiting for run {args.run_id} (--timeout); it goes on on the server")
        time.sleep(POLL_SECONDS)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits 1: status 2 means "changes" (as `terraform plan` has it)."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_ERROR, f"patchbay: error: {message}\n")


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="patchbay", description="Declare Patchbay integrations from files.")
    top.add_argument("--url", default=os.environ.get("PATCHBAY_URL", ""), help="server (env PATCHBAY_URL)")
    top.add_argument(
        "--token", default=os.environ.get("PATCHBAY_TOKEN", ""), help="API token (PATCHBAY_TOKEN)"
    )
    commands = top.add_subparsers(dest="command", required=True)

    plan = commands.add_parser("plan", help="show what applying the files would change (exit 2 if anything)")
    apply = commands.add_parser("apply", help="create or update the declared integrations and apply them")
    for sub in (plan, apply):
        sub.add_argument("files", nargs="+", metavar="FILE", help="YAML or JSON declarations; - for stdin")
        sub.add_argument("--prune", action="store_true", help="also tear down undeclared integrations")
    apply.add_argument("--wait", action="store_true", help="follow each run's progress until it ends")
    apply.add_argument("--timeout", type=float, default=1800, help="seconds --wait waits (default 1800)")
    plan.set_defaults(func=cmd_plan)
    apply.set_defaults(func=cmd_apply)

    export = commands.add_parser("export", help="print an integration's declaration")
    export.add_argument("name")
    export.add_argument("--format", choices=("yaml", "json"), default="yaml")
    export.set_defaults(func=cmd_export)

    runs = commands.add_parser("runs", help="runs of the engine").add_subparsers(dest="runs", required=True)
    watch = runs.add_parser("watch", help="follow a run until it ends (exit 1 if it failed)")
    watch.add_argument("run_id", metavar="ID")
    watch.add_argument("--timeout", type=float, default=1800, help="seconds to wait (default 1800)")
    watch.set_defaults(func=cmd_watch)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one command; errors are one line on stderr and exit status 1."""
    args = parser().parse_args(argv)
    try:
        return args.func(Client(args.url, args.token), args, sys.stdout)
    except CliError as error:
        print(f"patchbay: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("patchbay: interrupted (runs already queued go on on the server)", file=sys.stderr)
        return EXIT_ERROR
