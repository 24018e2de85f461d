"""What reading an uploaded SIP trace gives, the errors a trace that cannot be read raises, and the caps
on how much one trace may hold.

The caps bound the work of one upload request (parsing, grouping, storing, and later every page that
shows the trace): past any of them the upload is refused with a 400 naming the cap, before anything
is stored. Each is far above what a real trace of a few calls holds; a trace that needs more is a
capture of a whole SBC, and the calls one wants are a filter away (sngrep, Wireshark: by Call-ID).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from calls.grouping import ObservedMessage

SIP_PORTS = {5060, 5061}

#: Lines of one message in a text log. A real SIP message has tens of header lines and an SDP body of
#: a few dozen; 1,000 is far past any of them, and caps a block that never ends (no blank line, or a
#: Content-Length that nothing fills).
MAX_LINES_PER_MESSAGE = 1_000
#: SIP messages (and message-looking blocks) in one file. Reading, grouping and storing cost up to a
#: millisecond per message (0.75 ms measured on a shared 2-core machine), so 5,000 keep an upload to a
#: few seconds; that is the signalling of hundreds of calls, more than a trace of the calls being
#: debugged needs.
MAX_MESSAGES_PER_FILE = 5_000
#: Calls (Call-IDs) in one file: every call of a trace is listed on its page and in the API's trace
#: listing, so this bounds those pages too.
MAX_CALLS_PER_FILE = 500
#: Messages of one call: one ladder. An 8-hour call refreshing its session every 90 s (RFC 4028) has
#: under 1,000 messages; more is a registration or keep-alive loop sharing a Call-ID, not a ladder
#: anyone reads, and the call's page and `calls/{id}/` stay bounded.
MAX_MESSAGES_PER_CALL = 1_000


class TraceError(ValueError):
    """The file cannot be read as a SIP trace; `code` is the API error code."""

    def __init__(self, detail: str, code: str = "invalid_trace") -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


class TraceLimitExceeded(TraceError):
    """The file holds more than one of the caps above allows; the detail names the cap."""


@dataclass
class TraceReading:
    """What a trace held: the messages read, and how many message-looking blocks were not SIP."""

    messages: list[ObservedMessage]
    skipped: int
    format: str


class MessageBudget:
    """Counts the message-looking blocks of one file and refuses the file past `MAX_MESSAGES_PER_FILE`,
    as soon as that many were seen (so a file of a million messages costs no more than the cap)."""

    def __init__(self) -> None:
        self.used = 0

    def take(self) -> None:
        """Count one more message; raises `TraceLimitExceeded` past the cap."""
        self.used += 1
        if self.used > MAX_MESSAGES_PER_FILE:
            raise TraceLimitExceeded(
                f"The file holds more than {MAX_MESSAGES_PER_FILE:,} SIP messages (the limit per trace). "
                "Upload a shorter capture, or only the calls you need (filter by Call-ID in sngrep or "
                "Wireshark).",
                "too_many_messages",
            )


def check_calls(messages: Sequence[ObservedMessage]) -> None:
    """Refuse a trace with more calls than `MAX_CALLS_PER_FILE` or a call with more messages than
    `MAX_MESSAGES_PER_CALL` (duplicates, which grouping drops, are not counted)."""
    per_call: Counter[str] = Counter()
    seen: set[str] = set()
    for item in messages:
        if item.fingerprint not in seen:
            seen.add(item.fingerprint)
            per_call[item.message.call_id] += 1
    if len(per_call) > MAX_CALLS_PER_FILE:
        raise TraceLimitExceeded(
            f"The file holds {len(per_call):,} calls; a trace may hold up to {MAX_CALLS_PER_FILE:,} "
            "(the limit per trace). Upload only the calls you need (filter by Call-ID in sngrep or "
            "Wireshark).",
            "too_many_calls",
        )
    if per_call:
        call_id, count = per_call.most_common(1)[0]
        if count > MAX_MESSAGES_PER_CALL:
            raise TraceLimitExceeded(
                f"Call {call_id[:80]!r} has {count:,} messages; a call may have up to "
                f"{MAX_MESSAGES_PER_CALL:,} (the limit per call). A registration or keep-alive loop "
                "that reuses one Call-ID is not a call: leave it out of the trace.",
                "too_many_messages_in_call",
            )


def declared_length(digits: str | bytes) -> int:
    """A Content-Length's digits as a number; more than ten digits (which `int()` may refuse past 4,300)
    is simply more than any message."""
    return int(digits) if len(digits) <= 10 else 10**10


def fingerprint(*parts: str) -> str:
    """What makes two observations of a message the same one (a capture holding it twice)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", errors="replace")).hexdigest()


def host_port(host: str, port: int) -> str:
    """`host` or `host:port` as the readers name a party (the default SIP ports are left out)."""
    shown = f"[{host}]" if ":" in host else host
    return shown if port in SIP_PORTS else f"{shown}:{port}"
