"""Reading uploaded SIP traces: pcap, pcapng, and text logs (`tcpdump -A`, sngrep's text export,
plain concatenated messages) → parsed messages with their time and, when the trace knows, addresses.

A file that holds no SIP message, or more than the caps of `calls.trace_reading` allow, is a
`TraceError` with a code the API returns as it is; no input (random bytes included) may raise anything
else. Reading is linear in the file's size (calls.trace_text, calls.trace_captures).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from calls.trace_captures import read_capture
from calls.trace_reading import TraceError, TraceLimitExceeded, TraceReading, check_calls
from calls.trace_text import read_text_log

__all__ = ["TraceError", "TraceLimitExceeded", "TraceReading", "read_trace"]

PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"


def read_trace(data: bytes, today: date | None = None) -> TraceReading:
    """Read a trace of any supported format; raises `TraceError` when it holds no SIP message or more
    than a trace may hold."""
    if not data.strip():
        raise TraceError("The file is empty.", "empty_trace")
    head = data[:4]
    if head == PCAPNG_MAGIC:
        reading = read_capture(data, "pcapng")
    elif head in PCAP_MAGICS:
        reading = read_capture(data, "pcap")
    else:
        reading = read_text_log(data, today or datetime.now(UTC).date())
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
    check_calls(reading.messages)
    return reading
