"""SIP captures built in tests: pcap and pcapng files (dpkt) and the usual text exports."""

from __future__ import annotations

import io
import socket
from collections.abc import Sequence
from datetime import datetime

import dpkt

#: (time, source ip, source port, destination ip, destination port, SIP text)
Packet = tuple[datetime, str, int, str, int, str]


def frame(src: str, sport: int, dst: str, dport: int, payload: bytes, tcp: bool = False) -> bytes:
    """An Ethernet frame carrying `payload` over UDP (or TCP) between two IPv4 addresses."""
    if tcp:
        segment: dpkt.Packet = dpkt.tcp.TCP(
            sport=sport, dport=dport, flags=dpkt.tcp.TH_ACK | dpkt.tcp.TH_PUSH
        )
        proto = dpkt.ip.IP_PROTO_TCP
    else:
        segment = dpkt.udp.UDP(sport=sport, dport=dport)
        proto = dpkt.ip.IP_PROTO_UDP
    segment.data = payload
    if not tcp:
        segment.ulen = len(segment)
    ip = dpkt.ip.IP(src=socket.inet_aton(src), dst=socket.inet_aton(dst), p=proto, data=segment)
    ip.len = len(ip)
    ethernet = dpkt.ethernet.Ethernet(
        src=b"\x02\x00\x00\x00\x00\x01",
        dst=b"\x02\x00\x00\x00\x00\x02",
        type=dpkt.ethernet.ETH_TYPE_IP,
        data=ip,
    )
    return bytes(ethernet)


def pcap(packets: Sequence[Packet], tcp: bool = False, ng: bool = False) -> bytes:
    """A pcap (or pcapng) capture of the packets."""
    out = io.BytesIO()
    writer = dpkt.pcapng.Writer(out) if ng else dpkt.pcap.Writer(out)
    for at, src, sport, dst, dport, text in packets:
        writer.writepkt(frame(src, sport, dst, dport, text.encode(), tcp=tcp), ts=at.timestamp())
    return out.getvalue()


def sngrep_text(packets: Sequence[Packet]) -> str:
    """sngrep's "save as .txt": a header line with date, time and addresses before each message."""
    blocks = []
    for at, src, sport, dst, dport, text in packets:
        stamp = at.strftime("%Y/%m/%d %H:%M:%S.%f")
        blocks.append(f"{stamp} {src}:{sport} -> {dst}:{dport}\n{text.replace(chr(13), '')}\n")
    return "\n".join(blocks)


def tcpdump_text(packets: Sequence[Packet]) -> str:
    """`tcpdump -A -tttt`: a summary line, then the packet in ASCII, header bytes as noise."""
    lines = []
    for at, src, sport, dst, dport, text in packets:
        first = text.split("\r\n", 1)[0]
        stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")
        lines.append(f"{stamp} IP {src}.{sport} > {dst}.{dport}: SIP: {first}")
        lines.append("E....@.@.." + text.replace("\r\n", "\n"))
    return "\n".join(lines) + "\n"
