"""Send one SIP OPTIONS (RFC 3261 §11) over UDP, TCP or TLS and report what came back.

Timeouts, refused connections, ICMP errors and TLS failures are outcomes, not
exceptions: a probe always returns a `ProbeOutcome`. Over UDP the request is
retransmitted on RFC 3261 Timer E (T1 = 500 ms, doubling) until the deadline;
a connected UDP socket surfaces an ICMP port-unreachable as ECONNREFUSED.
"""

from __future__ import annotations

import secrets
import socket
import ssl
import time
from dataclasses import dataclass

from django.conf import settings

from calls.choices import ProbeStatus, Transport
from calls.sip_message import SipParseError, parse_sip_message

T1_SECONDS = 0.5  # RFC 3261 §17.1.1.1
MAX_READ = 65_535
USER_AGENT = "Patchbay-probe/1.0"


@dataclass(frozen=True)
class ProbeOutcome:
    """What one OPTIONS got: a status, and for an answer its code, phrase, round trip and Server."""

    status: str
    address: str = ""
    response_code: int | None = None
    reason_phrase: str = ""
    rtt_ms: float | None = None
    server: str = ""
    message: str = ""

    @property
    def succeeded(self) -> bool:
        """An answer proves the SIP stack is alive; only 5xx overload/failure answers count as down
        (501 Not Implemented still shows a live server that does not do OPTIONS)."""
        if self.status != ProbeStatus.ANSWERED or self.response_code is None:
            return False
        return self.response_code < 500 or self.response_code == 501


def options_request(host: str, port: int, transport: str, local: tuple[str, int]) -> tuple[bytes, str]:
    """The OPTIONS request bytes and its Call-ID."""
    call_id = f"{secrets.token_hex(12)}@patchbay"
    branch = "z9hG4bK" + secrets.token_hex(8)
    local_host = f"[{local[0]}]" if ":" in local[0] else local[0]
    target = f"[{host}]" if ":" in host and not host.startswith("[") else host
    via_transport = transport.upper()
    lines = [
        f"OPTIONS sip:{target}:{port};transport={transport.lower()} SIP/2.0",
        f"Via: SIP/2.0/{via_transport} {local_host}:{local[1]};branch={branch};rport",
        "Max-Forwards: 70",
        f"From: <sip:patchbay@{local_host}>;tag={secrets.token_hex(6)}",
        f"To: <sip:{target}:{port}>",
        f"Call-ID: {call_id}",
        "CSeq: 1 OPTIONS",
        f"Contact: <sip:patchbay@{local_host}:{local[1]};transport={transport.lower()}>",
        "Accept: application/sdp",
        f"User-Agent: {USER_AGENT}",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode(), call_id


def _answer(data: bytes, call_id: str, started: float, address: str) -> ProbeOutcome | None:
    """The outcome for a final response to our request; None for anything else (1xx, strays)."""
    try:
        message = parse_sip_message(data, lenient_body=True)
    except SipParseError:
        return None
    if message.is_request or message.call_id != call_id or (message.status_code or 0) < 200:
        return None
    return ProbeOutcome(
        status=ProbeStatus.ANSWERED,
        address=address,
        response_code=message.status_code,
        reason_phrase=message.reason_phrase[:255],
        rtt_ms=round((time.monotonic() - started) * 1000, 2),
        server=(message.header("Server") or message.header("User-Agent") or "")[:255],
    )


def _probe_udp(address: str, port: int, host: str, timeout: float) -> ProbeOutcome:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.connect((address, port))
        request, call_id = options_request(host, port, Transport.UDP, sock.getsockname()[:2])
        started = time.monotonic()
        deadline = started + timeout
        interval = T1_SECONDS
        next_send = started
        while True:
            now = time.monotonic()
            if now >= deadline:
                return ProbeOutcome(ProbeStatus.TIMEOUT, address, message=f"no answer within {timeout:g}s")
            if now >= next_send:
                try:
                    sock.send(request)
                except ConnectionRefusedError:  # the ICMP error of the previous send, reported here
                    return ProbeOutcome(ProbeStatus.REFUSED, address, message="ICMP port unreachable")
                next_send, interval = now + interval, min(interval * 2, 4.0)
            sock.settimeout(max(0.01, min(next_send, deadline) - time.monotonic()))
            try:
                data = sock.recv(MAX_READ)
            except TimeoutError:
                continue
            except ConnectionRefusedError:
                return ProbeOutcome(ProbeStatus.REFUSED, address, message="ICMP port unreachable")
            if (outcome := _answer(data, call_id, started, address)) is not None:
                return outcome


def _read_response(
    stream: socket.socket, call_id: str, started: float, address: str, deadline: float
) -> ProbeOutcome:
    buffer = b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return ProbeOutcome(ProbeStatus.TIMEOUT, address, message="no answer before the deadline")
        stream.settimeout(remaining)
        chunk = stream.recv(MAX_READ)
        if not chunk:
            return ProbeOutcome(ProbeStatus.ERROR, address, message="the connection closed without an answer")
        buffer += chunk
        while b"\r\n\r\n" in buffer:
            head, _, rest = buffer.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() in (b"content-length", b"l") and value.strip().isdigit():
                    length = int(value.strip())
            if len(rest) < length:
                break
            message, buffer = head + b"\r\n\r\n" + rest[:length], rest[length:]
            if (outcome := _answer(message, call_id, started, address)) is not None:
                return outcome


def _probe_stream(address: str, port: int, host: str, transport: str, timeout: float) -> ProbeOutcome:
    started = time.monotonic()
    deadline = started + timeout
    with socket.create_connection((address, port), timeout=timeout) as raw:
        stream: socket.socket = raw
        if transport == Transport.TLS:
            context = ssl.create_default_context()
            if not settings.PROBE_TLS_VERIFY:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            stream = context.wrap_socket(raw, server_hostname=host)
        request, call_id = options_request(host, port, transport, stream.getsockname()[:2])
        stream.sendall(request)
        return _read_response(stream, call_id, started, address, deadline)


def send_options(
    address: str, port: int, transport: str, host: str, timeout: float | None = None
) -> ProbeOutcome:
    """Probe `address:port` (already resolved and allowed) naming `host` in the request."""
    timeout = settings.PROBE_TIMEOUT_SECONDS if timeout is None else timeout
    try:
        if transport == Transport.UDP:
            return _probe_udp(address, port, host, timeout)
        return _probe_stream(address, port, host, transport, timeout)
    except ConnectionRefusedError:
        return ProbeOutcome(ProbeStatus.REFUSED, address, message="connection refused")
    except TimeoutError:
        return ProbeOutcome(ProbeStatus.TIMEOUT, address, message=f"no answer within {timeout:g}s")
    except ssl.SSLError as error:
        return ProbeOutcome(
            ProbeStatus.ERROR, address, message=f"TLS failed: {error.reason or type(error).__name__}"
        )
    except OSError as error:
        # Host or network unreachable (ICMP), reset connections, ...: the strerror says which.
        return ProbeOutcome(ProbeStatus.ERROR, address, message=error.strerror or type(error).__name__)
