"""Text logs of SIP messages → messages: `tcpdump -A`, sngrep's text export, plain concatenated messages,
application logs with a timestamp line before each message.

One pass over the lines, constant work per line: a block keeps what it needs to decide whether the next
line is still its body (where its headers end, its Content-Length, how much body it has), so nothing
is rescanned. A block longer than `MAX_LINES_PER_MESSAGE` lines or `MAX_MESSAGE_BYTES` bytes refuses
the file, and so do more than `MAX_MESSAGES_PER_FILE` blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from calls.grouping import ObservedMessage
from calls.sip_message import (
    MAX_MESSAGE_BYTES,
    REQUEST_LINE,
    STATUS_LINE,
    SipParseError,
    looks_like_sip,
    parse_sip_message,
)
from calls.trace_reading import (
    MAX_LINES_PER_MESSAGE,
    MessageBudget,
    TraceError,
    TraceLimitExceeded,
    TraceReading,
    declared_length,
    fingerprint,
    host_port,
)

# In `tcpdump -A` output the first SIP line follows the IP/UDP header bytes printed as text on the
# same line, so a start line is also looked for at the end of a line, for the methods SIP defines.
_START_IN_LINE = re.compile(
    r"(?:(?:INVITE|ACK|BYE|CANCEL|OPTIONS|REGISTER|PRACK|SUBSCRIBE|NOTIFY|PUBLISH|INFO|REFER|MESSAGE|UPDATE)"
    r" (?:sips?|tel):\S+ SIP/2\.0|SIP/2\.0 [1-6]\d\d(?: [^\r\n]*)?)$"
)
_CONTENT_LENGTH = re.compile(r"(?i)^(?:content-length|l)[ \t]*:[ \t]*(\d+)")
# sngrep text export: "2024/05/01 10:00:00.123456 10.0.0.1:5060 -> 10.0.0.2:5060"
_SNGREP_HEADER = re.compile(
    r"^(?P<date>\d{4}[/-]\d{2}[/-]\d{2}) (?P<time>\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+"
    r"(?P<src>\S+)\s+->\s+(?P<dst>\S+)\s*$"
)
# tcpdump: "10:00:00.123456 IP 10.0.0.1.5060 > 10.0.0.2.5060: SIP: INVITE ..." (with -tttt: a date first)
_TCPDUMP_HEADER = re.compile(
    r"^(?:(?P<date>\d{4}-\d{2}-\d{2}) )?(?P<time>\d{2}:\d{2}:\d{2}(?:\.\d+)?) IP6? "
    r"(?P<src>\S+?)\.(?P<sport>\d{1,5}|sip) > (?P<dst>\S+?)\.(?P<dport>\d{1,5}|sip): "
)
# A line with a timestamp and nothing else that matters separates messages in plain logs.
_TIMESTAMP_LINE = re.compile(
    r"^\[?(?P<date>\d{4}[/-]\d{2}[/-]\d{2})[ T](?P<time>\d{2}:\d{2}:\d{2}(?:\.\d+)?)"
)


@dataclass
class _Block:
    """The lines of one message as they are read, and what decides whether the next line is its body."""

    at: datetime | None
    src: str = ""
    dst: str = ""
    lines: list[str] = field(default_factory=list)
    first_line: int = 0
    #: index of the blank line that ends the headers, once read
    blank: int | None = None
    #: the Content-Length header's value (0 without one)
    content_length: int = 0
    #: bytes of the body read so far, as its lines joined with CRLF
    body_bytes: int = 0
    size: int = 0

    def begin(self, start_line: str, number: int) -> None:
        """Start the message with its start line (line `number` of the file)."""
        self.lines, self.first_line, self.blank = [], number, None
        self.content_length = self.body_bytes = self.size = 0
        self.add(start_line)

    def add(self, line: str) -> None:
        """Append a line; raises `TraceLimitExceeded` past the caps on one message."""
        length = len(line.encode())
        self.size += length + 2
        if len(self.lines) >= MAX_LINES_PER_MESSAGE:
            raise TraceLimitExceeded(
                f"The message that starts on line {self.first_line:,} has more than "
                f"{MAX_LINES_PER_MESSAGE:,} lines (the limit per message): a blank line after its "
                "headers, or its body, is missing.",
                "too_many_lines",
            )
        if self.size > MAX_MESSAGE_BYTES:
            raise TraceLimitExceeded(
                f"The message that starts on line {self.first_line:,} is larger than {MAX_MESSAGE_BYTES:,} "
                "bytes, the most one SIP message can be (the limit per message).",
                "message_too_large",
            )
        if self.blank is not None:
            # "\r\n".join(body lines): a separator before every line but the first
            self.body_bytes += length + (2 if len(self.lines) > self.blank + 1 else 0)
        elif line == "" and self.lines:
            self.blank = len(self.lines)
            lengths = (_CONTENT_LENGTH.match(header) for header in self.lines[1:])
            self.content_length = next((declared_length(m.group(1)) for m in lengths if m), 0)
        self.lines.append(line)

    def wants_more_body(self) -> bool:
        """True while the body read so far is shorter than the message's Content-Length (a sipfrag
        body may hold a line that looks like a status line)."""
        return self.blank is not None and self.body_bytes < self.content_length


def _when(day: str | None, clock: str, today: date) -> datetime | None:
    try:
        on = date.fromisoformat(day.replace("/", "-")) if day else today
        return datetime.combine(on, time.fromisoformat(clock), UTC)
    except ValueError:
        return None


def _metadata(line: str, today: date) -> _Block | None:
    """A block opened by an sngrep or tcpdump header line (time, addresses), or a bare timestamp line."""
    if meta := _SNGREP_HEADER.match(line):
        return _Block(
            _when(meta["date"], meta["time"], today),
            _sngrep_address(meta["src"]),
            _sngrep_address(meta["dst"]),
        )
    if meta := _TCPDUMP_HEADER.match(line):
        ports = [5060 if port == "sip" else int(port) for port in (meta["sport"], meta["dport"])]
        return _Block(
            _when(meta["date"], meta["time"], today),
            host_port(meta["src"], ports[0]),
            host_port(meta["dst"], ports[1]),
        )
    if (stamp := _TIMESTAMP_LINE.match(line)) and not looks_like_sip(line):
        return _Block(_when(stamp["date"], stamp["time"], today))
    return None


def _sngrep_address(address: str) -> str:
    """`10.0.0.1:5060` / `[2001:db8::1]:5060` as the other readers name hosts (default ports dropped)."""
    host, _, port = address.rpartition(":")
    if not (port.isdecimal() and len(port) <= 5) or not host:
        return address
    return host_port(host.strip("[]"), int(port))


def _start_line(line: str) -> str | None:
    if REQUEST_LINE.match(line) or STATUS_LINE.match(line):
        return line
    found = _START_IN_LINE.search(line)
    return found.group(0) if found else None


def read_text_log(data: bytes, today: date) -> TraceReading:
    """The SIP messages of a text log; raises `TraceError` for binary data and past the caps."""
    text = data.decode("utf-8", errors="replace")
    if "\x00" in text or sum(not c.isprintable() and c not in "\r\n\t" for c in text[:4096]) > 40:
        raise TraceError(
            "This is neither a pcap/pcapng capture nor a text log of SIP messages.", "unreadable_trace"
        )
    budget = MessageBudget()
    blocks: list[_Block] = []
    pending: _Block | None = None  # metadata seen, start line not yet
    current: _Block | None = None
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.rstrip("\r")
        if current is not None and current.wants_more_body():
            current.add(line)
            continue
        if (meta := _metadata(line, today)) is not None:
            pending, current = meta, None
            continue
        if (start := _start_line(line)) is not None:
            budget.take()
            current = pending or _Block(current.at if current else None)
            current.begin(start, number)
            blocks.append(current)
            pending = None
        elif current is not None:
            current.add(line.strip() if not current.lines[-1] and not line.strip() else line)
    return _parse_blocks(blocks, today)


def _parse_blocks(blocks: list[_Block], today: date) -> TraceReading:
    messages: list[ObservedMessage] = []
    skipped = 0
    base = datetime.combine(today, time(0), UTC)
    for index, block in enumerate(blocks):
        raw = "\r\n".join(_trim(block.lines)) + "\r\n"
        try:
            message = parse_sip_message(raw, lenient_body=True)
        except SipParseError:
            skipped += 1
            continue
        # Without timestamps keep the log's order, one microsecond apart.
        at = block.at or base.replace(microsecond=min(index, 999_999))
        messages.append(
            ObservedMessage(
                at=at,
                message=message,
                fingerprint=fingerprint(str(index), at.isoformat(), block.src, block.dst, raw),
                src=block.src if block.dst else "",
                dst=block.dst if block.src else "",
            )
        )
    return TraceReading(messages=messages, skipped=skipped, format="text log")


def _trim(lines: list[str]) -> list[str]:
    """A block's lines without trailing blank lines, ending with the blank line that closes the headers."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    kept = lines[:end]
    if "" not in kept:
        kept.append("")
    return kept
