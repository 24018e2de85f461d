"""Reading uploaded SIP traces: pcap, pcapng, and text logs (`tcpdump -A`, sngrep's text export,
plain concatenated messages) → parsed messages with their time and, when the trace knows, addresses.

A file that holds no SIP message is a `TraceError` with a code the API returns
as it is; no input (random bytes included) may raise anything else.
"""

from __future__ import annotations

import hashlib
import io
import re
import socket
import struct
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import dpkt

from calls.grouping import ObservedMessage
from calls.sip_message import (
    MAX_MESSAGE_BYTES,
    REQUEST_LINE,
    STATUS_LINE,
    SipParseError,
    looks_like_sip,
    parse_sip_message,
)

PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
SIP_PORTS = {5060, 5061}
LINKTYPE_RAW = 101  # raw IP as some platforms number it (pcap-linktype(7)), beside DLT_RAW
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
    r"(?P<src>\S+?)\.(?P<sport>\d+|sip) > (?P<dst>\S+?)\.(?P<dport>\d+|sip): "
)
# A line with a timestamp and nothing else that matters separates messages in plain logs.
_TIMESTAMP_LINE = re.compile(
    r"^\[?(?P<date>\d{4}[/-]\d{2}[/-]\d{2})[ T](?P<time>\d{2}:\d{2}:\d{2}(?:\.\d+)?)"
)


class TraceError(ValueError):
    """The file cannot be read as a SIP trace; `code` is the API error code."""

    def __init__(self, detail: str, code: str = "invalid_trace") -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


@dataclass
class TraceReading:
    """What a trace held: the messages read, and how many message-looking blocks were not SIP."""

    messages: list[ObservedMessage]
    skipped: int
    format: str


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", errors="replace")).hexdigest()


def read_trace(data: bytes, today: date | None = None) -> TraceReading:
    """Read a trace of any supported format; raises `TraceError` when it holds no SIP message."""
    if not data.strip():
        raise TraceError("The file is empty.", "empty_trace")
    head = data[:4]
    if head == PCAPNG_MAGIC:
        reading = _read_capture(data, "pcapng")
    elif head in PCAP_MAGICS:
        reading = _read_capture(data, "pcap")
    else:
        reading = _read_text(data, today or datetime.now(UTC).date())
    if not reading.messages:
        raise TraceError(
            f"No SIP message found in this {reading.format} file"
            + (
                f" ({reading.skipped} blocks looked like SIP but could not be parsed)."
                if reading.skipped
                else "."
            )
            + " Upload a pcap/pcapng capture or a text log of SIP messages.",
            "no_sip_messages",
        )
    return reading


# --- captures -----------------------------------------------------------------------------------

_CAPTURE_ERRORS = (dpkt.NeedData, dpkt.UnpackError, ValueError, IndexError, struct.error)


def _packets(data: bytes, kind: str) -> tuple[int, list[tuple[float, bytes]]]:
    """The capture's link type and its packets; a capture truncated part-way keeps what was read."""
    packets: list[tuple[float, bytes]] = []
    try:
        reader = (
            dpkt.pcapng.Reader(io.BytesIO(data)) if kind == "pcapng" else dpkt.pcap.Reader(io.BytesIO(data))
        )
        linktype = int(reader.datalink())
        for timestamp, frame in reader:  # dpkt reads lazily, so damage shows up here
            packets.append((float(timestamp), bytes(frame)))
    except _CAPTURE_ERRORS as error:
        if not packets:
            raise TraceError(
                f"The {kind} file is damaged: {type(error).__name__}.", "unreadable_capture"
            ) from None
    return linktype, packets


def _ip_layer(frame: bytes, linktype: int) -> dpkt.Packet | None:
    try:
        if linktype == dpkt.pcap.DLT_EN10MB:
            layer = dpkt.ethernet.Ethernet(frame).data
        elif linktype == dpkt.pcap.DLT_LINUX_SLL:
            layer = dpkt.sll.SLL(frame).data
        elif linktype in (dpkt.pcap.DLT_RAW, LINKTYPE_RAW):
            layer = dpkt.ip.IP(frame) if frame[:1] and frame[0] >> 4 == 4 else dpkt.ip6.IP6(frame)
        elif linktype == dpkt.pcap.DLT_NULL:
            layer = dpkt.loopback.Loopback(frame).data
        else:
            return None
    except _CAPTURE_ERRORS:
        return None
    return layer if isinstance(layer, dpkt.ip.IP | dpkt.ip6.IP6) else None


def _address(ip: dpkt.Packet, which: str) -> str:
    family = socket.AF_INET if isinstance(ip, dpkt.ip.IP) else socket.AF_INET6
    return socket.inet_ntop(family, getattr(ip, which))


def _read_capture(data: bytes, kind: str) -> TraceReading:
    linktype, packets = _packets(data, kind)
    messages: list[ObservedMessage] = []
    skipped = 0
    streams: dict[tuple[str, int, str, int], bytes] = {}
    for timestamp, frame in packets:
        ip = _ip_layer(frame, linktype)
        transport = ip.data if ip is not None else None
        if not isinstance(transport, dpkt.udp.UDP | dpkt.tcp.TCP) or not bytes(transport.data):
            continue
        payload = bytes(transport.data)
        on_sip_port = transport.sport in SIP_PORTS or transport.dport in SIP_PORTS
        src, dst = _address(ip, "src"), _address(ip, "dst")
        if isinstance(transport, dpkt.tcp.TCP):
            key = (src, transport.sport, dst, transport.dport)
            chunks, rest = _split_stream(streams.pop(key, b"") + payload)
            if rest and (on_sip_port or chunks or looks_like_sip(rest[:200].decode("latin-1"))):
                streams[key] = rest[-MAX_MESSAGE_BYTES:]  # the rest of a message split across segments
        else:
            chunks = [payload]
        at = datetime.fromtimestamp(timestamp, UTC)
        for chunk in chunks:
            text = chunk.decode("utf-8", errors="replace")
            if not (on_sip_port or looks_like_sip(text)):
                continue
            try:
                message = parse_sip_message(chunk)
            except SipParseError:
                skipped += 1
                continue
            messages.append(
                ObservedMessage(
                    at=at,
                    message=message,
                    fingerprint=_fingerprint(str(timestamp), src, dst, text),
                    src=_host_port(src, transport.sport),
                    dst=_host_port(dst, transport.dport),
                )
            )
    return TraceReading(messages=messages, skipped=skipped, format=kind)


def _host_port(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return shown if port in SIP_PORTS else f"{shown}:{port}"


def _split_stream(payload: bytes) -> tuple[list[bytes], bytes]:
    """Complete SIP messages at the start of a TCP stream (framed by Content-Length, RFC 3261 §18.3)
    and the incomplete rest."""
    chunks: list[bytes] = []
    while payload:
        end = payload.find(b"\r\n\r\n")
        if end < 0:
            return chunks, payload
        head = payload[:end].decode("latin-1")
        lengths = [_CONTENT_LENGTH.match(line) for line in head.split("\r\n")]
        length = next((int(m.group(1)) for m in lengths if m), 0)
        total = end + 4 + length
        if len(payload) < total:
            return chunks, payload
        chunks.append(payload[:total])
        payload = payload[total:].lstrip(b"\r\n")
    return chunks, b""


# --- text logs ----------------------------------------------------------------------------------


@dataclass
class _Block:
    at: datetime | None
    src: str = ""
    dst: str = ""
    lines: list[str] = field(default_factory=list)

    def wants_more_body(self) -> bool:
        """True while the body read so far is shorter than the message's Content-Length (a sipfrag
        body may hold a line that looks like a status line)."""
        if "" not in self.lines:
            return False
        blank = self.lines.index("")
        lengths = [_CONTENT_LENGTH.match(line) for line in self.lines[1:blank]]
        length = next((int(m.group(1)) for m in lengths if m), 0)
        body = "\r\n".join(self.lines[blank + 1 :])
        return len(body.encode()) < length


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
            _host_port(meta["src"], ports[0]),
            _host_port(meta["dst"], ports[1]),
        )
    if (stamp := _TIMESTAMP_LINE.match(line)) and not looks_like_sip(line):
        return _Block(_when(stamp["date"], stamp["time"], today))
    return None


def _sngrep_address(address: str) -> str:
    """`10.0.0.1:5060` / `[2001:db8::1]:5060` as the other readers name hosts (default ports dropped)."""
    host, _, port = address.rpartition(":")
    if not port.isdigit() or not host:
        return address
    return _host_port(host.strip("[]"), int(port))


def _start_line(line: str) -> str | None:
    if REQUEST_LINE.match(line) or STATUS_LINE.match(line):
        return line
    found = _START_IN_LINE.search(line)
    return found.group(0) if found else None


def _read_text(data: bytes, today: date) -> TraceReading:
    text = data.decode("utf-8", errors="replace")
    if "\x00" in text or sum(not c.isprintable() and c not in "\r\n\t" for c in text[:4096]) > 40:
        raise TraceError(
            "This is neither a pcap/pcapng capture nor a text log of SIP messages.", "unreadable_trace"
        )
    blocks: list[_Block] = []
    pending: _Block | None = None  # metadata seen, start line not yet
    current: _Block | None = None
    for raw_line in text.splitlines():
        line = raw_line.rstrip("\r")
        if current is not None and current.wants_more_body():
            current.lines.append(line)
            continue
        if (meta := _metadata(line, today)) is not None:
            pending, current = meta, None
            continue
        if (start := _start_line(line)) is not None:
            current = pending or _Block(current.at if current else None)
            current.lines = [start]
            blocks.append(current)
            pending = None
        elif current is not None:
            current.lines.append(line.strip() if not current.lines[-1] and not line.strip() else line)
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
                fingerprint=_fingerprint(str(index), at.isoformat(), block.src, block.dst, raw),
                src=block.src if block.dst else "",
                dst=block.dst if block.src else "",
            )
        )
    return TraceReading(messages=messages, skipped=skipped, format="text log")


def _trim(lines: list[str]) -> list[str]:
    """A block's lines without trailing blank lines, ending with the blank line that closes the headers."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    if "" not in lines:
        lines = [*lines, ""]
    return lines
