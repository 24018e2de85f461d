"""A call drawn as a SIP ladder in SVG, rendered on the server (no script).

A column per host, an arrow per message labelled with the method or status
line, the time and the delta from the previous message; failures in red, the
SMA Lambda's decisions dashed. Each arrow links to `#msg-<id>`, an element the
page shows with CSS `:target` (templates/calls/ladder.html) holding the raw
message. The `x-` headers of requests that reached the far end (the host that
gave the final answer) are listed under their arrow, highlighted. Rows have a
fixed height and the drawing grows downwards, so 50 messages stay readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from calls import call_summary
from calls.choices import Direction
from calls.lanes import lane_role
from calls.models import SipCall, SipMessageRecord

COLUMN_WIDTH = 230
MARGIN = 24
HEADER_HEIGHT = 64
ROW_HEIGHT = 46
X_HEADER_LINE = 14
MAX_X_HEADERS_SHOWN = 4
HOST_NAME_CHARS = 28
FAILURE_COLOUR = "#c62828"
NORMAL_COLOUR = "#1f4e79"
LAMBDA_COLOUR = "#6a1b9a"
X_HEADER_COLOUR = "#1b5e20"
NOT_OBSERVED_COLOUR = "#9e9e9e"


@dataclass(frozen=True)
class LadderRow:
    """One message as drawn: its arrow's anchor, geometry inputs and texts."""

    anchor: str
    src: str
    dst: str
    label: str
    when: str
    delta: str
    is_failure: bool
    is_internal: bool
    x_headers: dict[str, str]
    #: True when `x_headers` reached the far end (highlighted); False for the headers the Lambda chose
    reached: bool = False
    #: False for a hop known to exist that nobody reported (e.g. Twilio's INVITE): drawn dashed grey
    observed: bool = True


def far_end(call: SipCall, messages: Sequence[SipMessageRecord]) -> str:
    """The host that gave the final answer to the call's INVITE, else where the first INVITE went."""
    return call_summary.far_end(call.final_status, messages)


def _delta(previous: datetime | None, now: datetime) -> str:
    if previous is None:
        return ""
    seconds = (now - previous).total_seconds()
    return f"+{seconds * 1000:.0f} ms" if seconds < 1 else f"+{seconds:.3f} s"


def ladder_rows(call: SipCall, messages: Sequence[SipMessageRecord]) -> list[LadderRow]:
    """The rows of a ladder: time, delta and the far end's x- headers worked out."""
    reached = far_end(call, messages)
    rows: list[LadderRow] = []
    previous: datetime | None = None
    for message in messages:
        is_request = bool(message.headers.get("request_uri"))
        x_headers = dict(message.headers.get("x_headers") or {})
        internal = message.direction == Direction.INTERNAL
        reached_here = is_request and message.dst == reached
        rows.append(
            LadderRow(
                anchor=f"msg-{message.pk}",
                src=message.src,
                dst=message.dst,
                label=message.label,
                when=message.at.strftime("%H:%M:%S.%f")[:-3],
                delta=_delta(previous, message.at),
                is_failure=message.is_failure,
                is_internal=internal,
                # The Lambda's chosen headers are listed too, to compare with what reached the far end.
                x_headers=x_headers if (reached_here or internal) else {},
                reached=reached_here,
                observed=message.headers.get("observed") is not False,
            )
        )
        previous = message.at
    return rows


def _columns(call: SipCall, rows: Sequence[LadderRow]) -> list[str]:
    names = dict.fromkeys(str(h.get("name")) for h in call.hosts or [] if h.get("name"))
    for row in rows:
        names.update(dict.fromkeys((row.src, row.dst)))  # an ordered set: no scan per name
    return list(names)


def lane_labels(call: SipCall, columns: Sequence[str]) -> dict[str, str]:
    """Each column's role in words ("Vapi"), from its name and the aliases it was seen under."""
    aliases = {str(h.get("name")): str(h.get("aliases") or "") for h in call.hosts or []}
    return {name: lane_role(name, aliases.get(name, "")) for name in columns}


def _short(name: str) -> str:
    return name if len(name) <= HOST_NAME_CHARS else name[: HOST_NAME_CHARS - 1] + "…"


def _row_height(row: LadderRow) -> int:
    shown = min(len(row.x_headers), MAX_X_HEADERS_SHOWN + 1)
    return ROW_HEIGHT + shown * X_HEADER_LINE


def _arrow(row: LadderRow, x1: int, x2: int, y: int, names: dict[str, str]) -> list[str]:
    colour = FAILURE_COLOUR if row.is_failure else (LAMBDA_COLOUR if row.is_internal else NORMAL_COLOUR)
    colour = colour if row.observed else NOT_OBSERVED_COLOUR
    classes = "arrow" + (" failure" if row.is_failure else "") + (" internal" if row.is_internal else "")
    classes += "" if row.observed else " not-observed"
    dash = ' stroke-dasharray="6 4"' if (row.is_internal or not row.observed) else ""
    marker = "arrow-failure" if row.is_failure else ("arrow-internal" if row.is_internal else "arrow")
    centre = (x1 + x2) // 2
    # Reachable with Tab and named for screen readers: what the arrow is, and what activating it does.
    spoken = (
        f"{row.label} from {names.get(row.src) or row.src} to {names.get(row.dst) or row.dst} "
        f"at {row.when}{' (failure)' if row.is_failure else ''}: show the raw message"
    )
    parts = [
        f'<a href="#{row.anchor}" class="{classes}" data-label="{escape(row.label)}" '
        f'aria-label="{escape(spoken)}">'
    ]
    parts.append(f"<title>{escape(row.src)} → {escape(row.dst)}: {escape(row.label)} ({row.when})</title>")
    if x1 == x2:  # a message to itself: a small loop on the right of the column
        parts.append(
            f'<path d="M{x1},{y} h40 v18 h-40" fill="none" stroke="{colour}" stroke-width="2"{dash} '
            f'marker-end="url(#{marker})"/>'
        )
        centre = x1 + 80
    else:
        parts.append(
            f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{colour}" stroke-width="2"{dash} '
            f'marker-end="url(#{marker})"/>'
        )
    # A wide transparent band makes the arrow easy to click.
    left, width = min(x1, x2), max(abs(x2 - x1), 80)
    parts.append(f'<rect x="{left}" y="{y - 18}" width="{width}" height="30" fill="transparent"/>')
    parts.append(
        f'<text x="{centre}" y="{y - 6}" text-anchor="middle" fill="{colour}" font-weight="bold">'
        f"{escape(row.label)}</text>"
    )
    when = f"{row.when} ({row.delta})" if row.delta else row.when
    parts.append(
        f'<text x="{centre}" y="{y + 14}" text-anchor="middle" fill="#555" font-size="11">'
        f"{escape(when)}</text>"
    )
    shown = list(row.x_headers.items())
    x_class, x_colour = ("x-header reached", X_HEADER_COLOUR) if row.reached else ("x-header", LAMBDA_COLOUR)
    for index, (name, value) in enumerate(shown[:MAX_X_HEADERS_SHOWN]):
        parts.append(
            f'<text class="{x_class}" x="{centre}" y="{y + 28 + index * X_HEADER_LINE}" '
            f'text-anchor="middle" fill="{x_colour}" font-size="11">'
            f"{escape(name)}: {escape(value[:40])}</text>"
        )
    if len(shown) > MAX_X_HEADERS_SHOWN:
        more = len(shown) - MAX_X_HEADERS_SHOWN
        y_more = y + 28 + MAX_X_HEADERS_SHOWN * X_HEADER_LINE
        parts.append(
            f'<text x="{centre}" y="{y_more}" text-anchor="middle" fill="{X_HEADER_COLOUR}" font-size="11">'
            f"+{more} more x- headers</text>"
        )
    parts.append("</a>")
    return parts


def _defs() -> str:
    markers = [
        (name, colour)
        for name, colour in (
            ("arrow", NORMAL_COLOUR),
            ("arrow-failure", FAILURE_COLOUR),
            ("arrow-internal", LAMBDA_COLOUR),
        )
    ]
    return (
        "<defs>"
        + "".join(
            f'<marker id="{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
            for name, colour in markers
        )
        + "</defs>"
    )


def render_ladder_svg(call: SipCall, messages: Sequence[SipMessageRecord]) -> SafeString:
    """The call's ladder as an inline SVG document (every text escaped)."""
    rows = ladder_rows(call, messages)
    columns = _columns(call, rows)
    x_of = {name: MARGIN + COLUMN_WIDTH // 2 + index * COLUMN_WIDTH for index, name in enumerate(columns)}
    width = MARGIN * 2 + COLUMN_WIDTH * max(len(columns), 1) + 60
    height = HEADER_HEIGHT + sum(_row_height(row) for row in rows) + MARGIN
    labels = lane_labels(call, columns)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sip-ladder" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif" font-size="12" role="group" '
        f'aria-label="SIP ladder of call {escape(call.call_id)}">',
        _defs(),
    ]
    for name, x in x_of.items():
        # The lane's role in words on top ("Chime Voice Connector · d4o9…", "Vapi"), its address below.
        role = labels.get(name, "")
        heading = role or _short(name)
        address = "" if not role or role == name else _short(name)
        parts.append(
            f'<g class="host" data-host="{escape(name)}"><title>{escape(role + " " if role else "")}'
            f"{escape(name)}</title>"
            f'<text class="lane-role" x="{x}" y="20" text-anchor="middle" font-weight="bold">'
            f"{escape(heading)}</text>"
            + (
                f'<text class="lane-address" x="{x}" y="36" text-anchor="middle" fill="#555" font-size="11">'
                f"{escape(address)}</text>"
                if address
                else ""
            )
            + f'<line x1="{x}" y1="{HEADER_HEIGHT - 16}" x2="{x}" y2="{height - MARGIN // 2}" '
            'stroke="#9e9e9e" stroke-dasharray="4 4"/></g>'
        )
    y = HEADER_HEIGHT
    named = {name: labels.get(name) or name for name in columns}
    for row in rows:
        parts.extend(_arrow(row, x_of[row.src], x_of[row.dst], y + 20, named))
        y += _row_height(row)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def raw_with_marks(message: SipMessageRecord, reached_names: set[str]) -> SafeString:
    """The raw message as HTML, with the x- header lines that reached the far end marked."""
    lines = []
    for line in message.raw.replace("\r\n", "\n").split("\n"):
        name = line.split(":", 1)[0].strip()
        if name and name in reached_names:
            lines.append(f"<mark>{escape(line)}</mark>")
        else:
            lines.append(escape(line))
    return mark_safe("\n".join(lines))


def ladder_context(call: SipCall) -> dict[str, object]:
    """What templates/calls/ladder.html needs: the SVG, and each message with its raw text."""
    messages = list(call.messages.all())
    rows = ladder_rows(call, messages)
    entries: list[dict[str, Any]] = [
        {
            "message": message,
            "anchor": row.anchor,
            "when": row.when,
            "delta": row.delta,
            "raw_html": raw_with_marks(message, set(row.x_headers) if row.reached else set()),
        }
        for message, row in zip(messages, rows, strict=True)
    ]
    labels = {name: label or name for name, label in lane_labels(call, _columns(call, rows)).items()}
    for entry in entries:
        message = entry["message"]
        entry["src_label"] = labels.get(message.src, message.src)
        entry["dst_label"] = labels.get(message.dst, message.dst)
    return {"call": call, "svg": render_ladder_svg(call, messages), "entries": entries}
