"""How plans and runs look in a terminal or a CI log: a diff as Terraform prints one, progress bars."""

from __future__ import annotations

import json
from typing import Any, TextIO

SIGNS = {"create": "+", "update": "~", "delete": "-", "no-op": " ", "unknown": "?"}
VERBS = {
    "create": "will be created",
    "update": "will be updated in place",
    "delete": "will be torn down",
    "no-op": "unchanged",
}
BAR_WIDTH = 30
FINISHED = ("succeeded", "failed")


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _field_lines(changes: dict[str, list[Any]]) -> list[str]:
    lines = []
    for field, (old, new) in changes.items():
        if old is None:
            lines.append(f"      + {field} = {_value(new)}")
        elif new is None:
            lines.append(f"      - {field} = {_value(old)}")
        else:
            lines.append(f"      ~ {field}: {_value(old)} -> {_value(new)}")
    return lines


def _node_lines(nodes: list[dict[str, Any]]) -> list[str]:
    lines = []
    for node in nodes:
        if node["action"] == "no-op":
            continue
        lines.append(f"      {SIGNS[node['action']]} {node['node']} ({node['type']})")
        for field, pair in (node.get("diff") or {}).items():
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            lines.append(f"          {field}: {_value(old)} -> {_value(new)}")
        for field in node.get("known_after_apply") or []:
            lines.append(f"          {field}: (known after apply)")
        if node.get("error"):
            lines.append(f"          could not be observed: {node['error']}")
    return lines


def plan_text(answer: dict[str, Any]) -> str:
    """The dry run's answer as a diff: each integration, its field changes, then its resources."""
    lines: list[str] = []
    for entry in answer["integrations"]:
        action = entry["action"]
        verb = VERBS[action]
        if action == "no-op" and entry["changed"]:
            verb = "unchanged; its resources will change"
        lines.append(f"{SIGNS[action]} {entry['name']} ({entry['kind']}) {verb}")
        if action != "delete":
            lines.extend(_field_lines(entry.get("changes") or {}))
        resource_lines = _node_lines(entry.get("plan") or [])
        if resource_lines:
            lines.append("    resources:")
            lines.extend(resource_lines)
        for field, messages in (entry.get("problems") or {}).items():
            lines.append(f"    ! {field}: {messages[0]}")
        if entry.get("error"):
            lines.append(f"    ! the engine could not plan: {entry['error']}")
    summary = answer["summary"]
    if answer["changed"]:
        lines.append(
            f"Plan: {summary['create']} to create, {summary['update']} to update, "
            f"{summary['delete']} to tear down."
        )
    else:
        lines.append("No changes. The integrations match the declarations.")
    return "\n".join(lines)


def apply_text(answer: dict[str, Any]) -> str:
    """What an apply did, one line per integration with the run it queued."""
    lines = []
    for entry in answer["integrations"]:
        run = entry.get("run")
        queued = f", {run['kind']} run {run['id']} {run['state']}" if run else ""
        lines.append(f"{SIGNS[entry['action']]} {entry['name']}: {entry['action']}{queued}")
    return "\n".join(lines)


def bar(name: str, run: dict[str, Any]) -> str:
    """`name  [#########.........]  45% running`."""
    progress = max(0, min(100, int(run.get("progress") or 0)))
    filled = BAR_WIDTH * progress // 100
    return f"{name}  [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {progress:3d}% {run['state']}"


class Bars:
    """Progress bars of several runs: redrawn in place on a terminal, a new line per change in a log."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.tty = out.isatty()
        self.drawn = 0
        self.last: dict[str, str] = {}

    def show(self, lines: dict[str, str]) -> None:
        if self.tty:
            if self.drawn:
                self.out.write(f"\x1b[{self.drawn}F")  # back to the first bar
            for line in lines.values():
                self.out.write(f"\x1b[2K{line}\n")
            self.drawn = len(lines)
        else:
            for key, line in lines.items():
                if self.last.get(key) != line:
                    self.out.write(line + "\n")
            self.last = dict(lines)
        self.out.flush()
