"""pcap and pcapng captures → SIP messages with their time and addresses (UDP datagrams, and TCP streams
framed by Content-Length, RFC 3261 §18.3).

Work is linear in the capture: each TCP direction keeps only the bytes of the message not yet complete
(never more than `MAX_MESSAGE_BYTES`), searches each byte once for the end of the headers, and reads a
message's Content-Length once. More than `MAX_MESSAGES_PER_FILE` SIP messages refuse the file.
"""

from __future__ import annotations

import io
import re
import socket
import struct
from collections.abc import Iterator
from datetime import UTC, datetime

import dpkt

from calls.grouping import ObservedMessage
from calls.sip_message import MAX_MESSAGE_BYTES, SipParseError, looks_like_sip, parse_sip_message
from calls.trace_reading import (
    SIP_PORTS,
    MessageBudget,
    TraceError,
    TraceReading,
    declared_length,
    fingerprint,
    host_port,
)

LINKTYPE_RAW = 101  # raw IP as some platforms number it (pcap-linktype(7)), beside DLT_RAW
_CAPTURE_ERRORS = (dpkt.NeedData, dpkt.UnpackError, ValueError, IndexError, struct.error, OverflowError)
_CONTENT_LENGTH = re.compile(rb"(?im)^(?:content-length|l)[ \t]*:[ \t]*(\d+)")
_NOT_CRLF = re.compile(rb"[^\r\n]")
#: Frames shorter than this cannot hold a SIP message (the smallest link header, an IPv4 and a UDP
#: header, and a start line): skipped before decoding, so a flood of empty records costs little.
MIN_SIP_FRAME_BYTES = 4 + 20 + 8 + 20


def _open(data: bytes, kind: str) -> tuple[int, Iterator[tuple[float, bytes]]]:
    """The capture's link type and its packets, read as they are used (so the caps stop reading)."""
    try:
        reader = (
            dpkt.pcapng.Reader(io.BytesIO(data)) if kind == "pcapng" else dpkt.pcap.Reader(io.BytesIO(data))
        )
        linktype = int(reader.datalink())
    except _CAPTURE_ERRORS as error:
        raise TraceError(
            f"The {kind} file is damaged: {type(error).__name__}.", "unreadable_capture"
        ) from None
    return linktype, _frames(iter(reader), kind)


def _frames(reader: Iterator[tuple[float, bytes]], kind: str) -> Iterator[tuple[float, bytes]]:
    """The packets; a capture truncated part-way keeps what was read before the damage."""
    read = 0
    while True:
        try:
            timestamp, frame = next(reader)  # dpkt reads lazily, so damage shows up here
        except StopIteration:
            return
        except _CAPTURE_ERRORS as error:
            if not read:
                raise TraceError(
                    f"The {kind} file is damaged: {type(error).__name__}.", "unreadable_capture"
                ) from None
            return
        read += 1
        yield timestamp, frame


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


def _when(timestamp: float, number: int, kind: str) -> datetime:
    try:
        return datetime.fromtimestamp(timestamp, UTC)
    except (OverflowError, ValueError, OSError):
        # e.g. a pcapng interface whose if_tsresol makes every timestamp overflow a date
        raise TraceError(
            f"The {kind} file is damaged: packet {number:,} has a timestamp that is not a date "
            f"({timestamp!r} s since 1970).",
            "unreadable_capture",
        ) from None


class TcpStream:
    """One direction of a TCP connection: the bytes of the message not yet complete."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        #: how far the buffer was searched for the end of the headers, without finding it
        self.searched = 0
        #: where the message being read ends, once its headers (and so its Content-Length) were read
        self.end: int | None = None
        #: body bytes still to come of a message too large to be SIP, to be dropped as they arrive
        self.skip = 0

    def feed(self, payload: bytes) -> tuple[list[bytes], int]:
        """The messages this segment completes, and how many too large to be SIP were dropped."""
        if self.skip:
            used = min(self.skip, len(payload))
            self.skip -= used
            payload = payload[used:]
        buffer = self.buffer
        buffer += payload
        chunks: list[bytes] = []
        dropped = 0
        start = 0
        while True:
            if self.end is None:
                first = _NOT_CRLF.search(buffer, start)  # CRLF keep-alives between messages (RFC 5626)
                start = first.start() if first else len(buffer)
                head_end = buffer.find(b"\r\n\r\n", max(start, self.searched - 3))
                if head_end < 0:
                    self.searched = len(buffer)
                    if len(buffer) - start > MAX_MESSAGE_BYTES:
                        dropped, start, self.searched = dropped + 1, len(buffer), len(buffer)
                    break
                found = _CONTENT_LENGTH.search(buffer, start, head_end)
                end = head_end + 4 + (declared_length(found.group(1)) if found else 0)
                if end - start > MAX_MESSAGE_BYTES:
                    dropped += 1
                    self.skip = max(end - len(buffer), 0)
                    start = self.searched = min(end, len(buffer))
                    continue
                self.end = end
            if len(buffer) < self.end:
                break
            chunks.append(bytes(buffer[start : self.end]))
            start = self.searched = self.end
            self.end = None
        if start:
            # What stays is the start of one message, all from this segment: moving it is O(segment).
            del buffer[:start]
            self.searched = max(self.searched - start, 0)
            if self.end is not None:
                self.end -= start
        return chunks, dropped

    @property
    def idle(self) -> bool:
        """True when nothing of a message is pending."""
        return not self.buffer and not self.skip


def read_capture(data: bytes, kind: str) -> TraceReading:
    """The SIP messages of a pcap or pcapng capture; raises `TraceError` for a damaged one and past
    `MAX_MESSAGES_PER_FILE`."""
    linktype, packets = _open(data, kind)
    budget = MessageBudget()
    messages: list[ObservedMessage] = []
    skipped = 0
    streams: dict[tuple[bytes, int, bytes, int], TcpStream] = {}
    for number, (timestamp, frame) in enumerate(packets, start=1):
        if len(frame) < MIN_SIP_FRAME_BYTES:
            continue
        ip = _ip_layer(frame, linktype)
        transport = ip.data if ip is not None else None
        if ip is None or not isinstance(transport, dpkt.udp.UDP | dpkt.tcp.TCP) or not bytes(transport.data):
            continue
        payload = bytes(transport.data)
        on_sip_port = transport.sport in SIP_PORTS or transport.dport in SIP_PORTS
        if isinstance(transport, dpkt.tcp.TCP):
            key = (bytes(ip.src), transport.sport, bytes(ip.dst), transport.dport)
            stream = streams.setdefault(key, TcpStream())
            chunks, dropped = stream.feed(payload)
            skipped += dropped
            # Keep the rest of a message split across segments, unless the stream is not SIP at all.
            keep = on_sip_port or chunks or looks_like_sip(bytes(stream.buffer[:200]).decode("latin-1"))
            if stream.idle or not keep:
                del streams[key]
        else:
            chunks = [payload]
        for chunk in chunks:
            text = chunk.decode("utf-8", errors="replace")
            if not (on_sip_port or looks_like_sip(text)):
                continue
            budget.take()
            src, dst = _address(ip, "src"), _address(ip, "dst")
            try:
                message = parse_sip_message(chunk)
            except SipParseError:
                skipped += 1
                continue
            messages.append(
                ObservedMessage(
                    at=_when(timestamp, number, kind),
                    message=message,
                    fingerprint=fingerprint(str(timestamp), src, dst, text),
                    src=host_port(src, transport.sport),
                    dst=host_port(dst, transport.dport),
                )
            )
    return TraceReading(messages=messages, skipped=skipped, format=kind)
