"""A small SIP UAS standing in for the vendors' SIP edges, so Patchbay's OPTIONS probes get answers.

One UDP socket and one TCP listener on the same port (`--sip-port`, default
HTTP port + 2). The request-URI's host says whose edge is asked
(`sandbox.core.sip_hosts.vendor_of`): OPTIONS gets `200 OK` as the vendor's SBC
would send it (Via, From, To, Call-ID and CSeq copied, a To tag added, `Allow`,
and `Server: <Vendor> sandbox`); ACK is never answered; other known methods get
405 with `Allow`, unknown methods 501. A host that is no vendor's edge, or one
listed in `SipEdge.silent_hosts` (`POST /_sandbox/sip`), gets nothing at all —
as an unreachable SBC, the probe times out. So does a request to a Chime
connector or a Genesys BYOC trunk from a source outside its allow list: those
edges answer only the carriers they allow (`sip_hosts.source_allowed`, issue
12.8), never a monitoring probe from elsewhere. Messages are parsed with the
`sipmessage` package; the sandbox imports nothing of Patchbay.
"""

from __future__ import annotations

import fnmatch
import logging
import secrets
import socket
import socketserver
import threading
from collections.abc import Callable
from typing import Any

from sipmessage import Message, Request, Response

from sandbox.core.sip_hosts import SERVER_NAMES, vendor_of

logger = logging.getLogger(__name__)

ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS"
#: methods a vendor's SBC knows (405 when not allowed here); anything else is 501 Not Implemented
KNOWN_METHODS = {
    "INVITE",
    "CANCEL",
    "BYE",
    "REGISTER",
    "PRACK",
    "SUBSCRIBE",
    "NOTIFY",
    "PUBLISH",
    "INFO",
    "REFER",
    "MESSAGE",
    "UPDATE",
}
_COPIED = ("Via", "From", "To", "Call-ID", "CSeq")
MAX_READ = 65_535


class SipEdge:
    """What the SIP stand-in is told to do (silent hosts) and what it saw (per-vendor counts)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._silent: list[str] = []
        self._answered: dict[str, int] = {}
        self._refused: dict[str, int] = {}
        #: (vendor, host, source ip) → whether that edge answers the source; set by the Sandbox
        self.source_allowed: Callable[[str, str, str], bool] = lambda vendor, host, source: True

    @property
    def silent_hosts(self) -> list[str]:
        with self._lock:
            return list(self._silent)

    def set_silent_hosts(self, hosts: list[str]) -> None:
        """Hosts (exact names or `*` patterns, case-insensitive) that stop answering."""
        with self._lock:
            self._silent = [host.lower().rstrip(".") for host in hosts]

    def is_silent(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        with self._lock:
            return any(fnmatch.fnmatchcase(host, pattern) for pattern in self._silent)

    def count(self, vendor: str) -> None:
        with self._lock:
            self._answered[vendor] = self._answered.get(vendor, 0) + 1

    def refuse(self, vendor: str) -> None:
        with self._lock:
            self._refused[vendor] = self._refused.get(vendor, 0) + 1

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "silent_hosts": list(self._silent),
                "answered": dict(self._answered),
                "not_allow_listed": dict(self._refused),
            }

    def reset(self) -> None:
        with self._lock:
            self._silent, self._answered, self._refused = [], {}, {}


def _top_via_with_rport(via: str, source: tuple[str, int]) -> str:
    """RFC 3581: fill an empty `rport` of the top Via and add `received`."""
    first, sep, rest = via.partition(",")
    params = first.split(";")
    if "rport" in (p.strip() for p in params):
        params = [f"rport={source[1]}" if p.strip() == "rport" else p for p in params]
        params.append(f"received={source[0]}")
    return ";".join(params) + sep + rest


def answer(edge: SipEdge, data: bytes, source: tuple[str, int]) -> bytes | None:
    """The response to one datagram or framed message, or None when nothing must be sent."""
    try:
        message = Message.parse(data)
    except (ValueError, UnicodeDecodeError, TypeError):
        return None
    if not isinstance(message, Request) or message.method == "ACK":
        return None
    host = str(message.uri.host or "")
    vendor = vendor_of(host)
    if vendor is None or edge.is_silent(host):
        return None
    if not edge.source_allowed(vendor, host, source[0]):
        edge.refuse(vendor)
        return None
    if message.method == "OPTIONS":
        code, phrase = 200, "OK"
    elif message.method in KNOWN_METHODS:
        code, phrase = 405, "Method Not Allowed"
    else:
        code, phrase = 501, "Not Implemented"
    response = Response(code, phrase)
    for name in _COPIED:
        for index, value in enumerate(message.headers.getlist(name)):
            if name == "Via" and index == 0:
                value = _top_via_with_rport(value, source)
            if name == "To" and ";tag=" not in value:
                value += f";tag={secrets.token_hex(6)}"
            response.headers.add(name, value)
    response.headers.add("Server", SERVER_NAMES[vendor])
    if code in (200, 405):
        response.headers.add("Allow", ALLOW)
    if code == 200:
        response.headers.add("Accept", "application/sdp")
    response.headers.add("Content-Length", "0")
    edge.count(vendor)
    return bytes(response).rstrip(b"\r\n") + b"\r\n\r\n"


def _frames(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Complete messages (head + Content-Length body) at the start of a TCP stream buffer, and the rest."""
    found: list[bytes] = []
    while b"\r\n\r\n" in buffer:
        head, _, rest = buffer.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() in (b"content-length", b"l") and value.strip().isdigit():
                length = int(value.strip())
        if len(rest) < length:
            break
        found.append(head + b"\r\n\r\n" + rest[:length])
        buffer = rest[length:]
    return found, buffer


class _Udp(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Tcp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SipUasServer:
    """The UDP and TCP listeners on one port, each served on a daemon thread."""

    def __init__(self, edge: SipEdge, host: str = "127.0.0.1", port: int = 8702) -> None:
        self.edge = edge

        class UdpHandler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data, sock = self.request
                reply = answer(edge, data, self.client_address)
                if reply is not None:
                    sock.sendto(reply, self.client_address)

        class TcpHandler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                conn: socket.socket = self.request
                conn.settimeout(60)
                buffer = b""
                while True:
                    try:
                        chunk = conn.recv(MAX_READ)
                    except OSError:
                        return
                    if not chunk:
                        return
                    messages, buffer = _frames(buffer + chunk)
                    for message in messages:
                        reply = answer(edge, message, self.client_address)
                        if reply is not None:
                            conn.sendall(reply)

        self._tcp = _Tcp((host, port), TcpHandler)
        # The UDP socket takes the port the TCP listener got (port 0 picks a free one for both).
        self._udp = _Udp((host, self._tcp.server_address[1]), UdpHandler)
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return int(self._tcp.server_address[1])

    def start(self) -> None:
        for name, server in (("sandbox-sip-udp", self._udp), ("sandbox-sip-tcp", self._tcp)):
            thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        for server in (self._udp, self._tcp):
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
