"""Benchmark of SIP trace reading (issue 13, item 1): pathological files against normal traces of the
same size, as ratios, and the cost per megabyte of captures that are all overhead.

Each row times what an upload computes before storing (read the trace, group its calls), the fastest
of three runs. A pathological file is refused at a cap or read in time linear in its size; the run
fails only if one costs more than `SLOWDOWN_ALLOWED` times the normal trace of its size.

Run with `make bench`.
"""

from __future__ import annotations

import io
import sys

import dpkt

from calls.tests import capture_files
from calls.tests.trace_support import (
    SLOWDOWN_ALLOWED,
    endless_invite,
    headers_without_end,
    many_messages_in_one_tcp_segment,
    normal_tcp_capture,
    normal_text_trace,
    one_call_with_a_new_host_per_message,
    seconds,
    work_of_an_upload,
)

MB = 1024 * 1024


def flood(payload: bytes, size: int, *, tcp: bool, dport: int) -> bytes:
    """A pcap of `size` bytes of the same tiny packet (a SIP-port TCP byte, an RTP datagram)."""
    out = io.BytesIO()
    writer = dpkt.pcap.Writer(out)
    frame = capture_files.frame("10.0.0.1", 40000, "10.0.0.2", dport, payload, tcp=tcp)
    for number in range(size // (len(frame) + 16)):
        writer.writepkt(frame, ts=1_700_000_000 + number / 1000)
    return out.getvalue()


def bench_pathological_traces_against_normal_ones() -> None:
    rows = []
    cases = [
        ("INVITE, Content-Length 999999999, 60,000 lines", endless_invite, normal_text_trace),
        ("60,000 header lines, no blank line", headers_without_end, normal_text_trace),
        ("TCP segments of 3,000 tiny messages each", many_messages_in_one_tcp_segment, normal_tcp_capture),
        ("one call, 1,000 messages, a host each", one_call_with_a_new_host_per_message, normal_text_trace),
    ]
    for name, pathological, normal in cases:
        bad = pathological()
        good = normal(len(bad))
        bad_s = seconds(lambda bad=bad: work_of_an_upload(bad))
        good_s = seconds(lambda good=good: work_of_an_upload(good))
        rows.append((name, len(bad), bad_s, good_s, bad_s / good_s))
    for name, payload, tcp, dport in [
        ("pcap: 1-byte TCP segments to 5060", b"x", True, 5060),
        ("pcap: RTP-sized UDP datagrams", b"\x80" * 172, False, 20000),
    ]:
        data = flood(payload, 2 * MB, tcp=tcp, dport=dport)
        took = seconds(lambda data=data: work_of_an_upload(data))
        rows.append((name, len(data), took, None, None))
    out = sys.stdout
    out.write(f"\n{'file':<48} {'bytes':>9} {'seconds':>8} {'normal':>8} {'ratio':>6}\n")
    for name, size, bad_s, good_s, ratio in rows:
        normal_text = f"{good_s:8.3f}" if good_s is not None else f"{'-':>8}"
        ratio_text = f"{ratio:6.2f}" if ratio is not None else f"{bad_s / size * MB:5.2f}s/MB"
        out.write(f"{name:<48} {size:>9,} {bad_s:8.3f} {normal_text} {ratio_text}\n")
    assert all(ratio is None or ratio < SLOWDOWN_ALLOWED for *_, ratio in rows), rows
