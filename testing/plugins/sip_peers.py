"""Real SIP peers for tests (moved from calls/tests/conftest.py so that every app's tests, the
diagnostics' too, get them by name): a sipp UAS, a TLS peer, silent and closed ports.

`sipp_peer("udp"|"tcp")` starts `/usr/bin/sipp` (Debian's sip-tester) as a UAS on a
free loopback port, running sipp/options_uas.xml: every OPTIONS gets 200 OK with
`Server: Patchbay-test-sipp`. It is ready once it has answered a probe.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from calls.tests.sip_peers import (
    SCENARIO,
    SIPP,
    TLS_SERVER,
    SippPeer,
    free_port,
    self_signed,
    wait_answering,
)


@pytest.fixture
def sipp_peer(tmp_path: Path) -> Iterator[Callable[[str], SippPeer]]:
    """Start sipp UAS peers: `sipp_peer("udp")` or `sipp_peer("tcp")`; stopped after the test."""
    if shutil.which(SIPP) is None:
        pytest.fail("sipp is missing: apt-get install -y sip-tester (.ci/run installs it)")
    started: list[SippPeer] = []

    def start(transport: str = "udp") -> SippPeer:
        kind = socket.SOCK_DGRAM if transport == "udp" else socket.SOCK_STREAM
        port = free_port(kind)
        log = tmp_path / f"sipp-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    SIPP,
                    "-sf",
                    str(SCENARIO),
                    "-i",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-t",
                    "u1" if transport == "udp" else "t1",
                    "-nostdin",
                ],
                cwd=tmp_path,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        peer = SippPeer(port=port, transport=transport, process=process)
        started.append(peer)
        wait_answering(peer, log)
        return peer

    yield start
    for peer in started:
        peer.process.terminate()
        try:
            peer.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            peer.process.kill()
            peer.process.wait()


@pytest.fixture
def silent_udp_port() -> Iterator[int]:
    """A bound UDP port that reads nothing and answers nothing (a firewall that drops SIP)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture
def closed_tcp_port() -> int:
    """A loopback TCP port with no listener: connections are refused."""
    return free_port(socket.SOCK_STREAM)


@pytest.fixture
def tls_peer(tmp_path: Path) -> Iterator[int]:
    """A SIP-over-TLS peer on a loopback port with a self-signed certificate; answers OPTIONS 200 OK.

    Debian's sipp is built without TLS, so this one is a small ssl server of the test's own.
    """
    key_path, cert_path = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def answer(connection: socket.socket) -> None:
        with connection:
            try:
                stream = context.wrap_socket(connection, server_side=True)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = stream.recv(4096)
                    if not chunk:
                        return
                    data += chunk
            except (ssl.SSLError, OSError):
                return  # a client that refused our certificate
            copied = [
                line
                for line in data.decode().split("\r\n")
                if line.split(":", 1)[0].lower() in {"via", "from", "to", "call-id", "cseq"}
            ]
            reply = ["SIP/2.0 200 OK", *copied, f"Server: {TLS_SERVER}", "Content-Length: 0", "", ""]
            stream.sendall("\r\n".join(reply).encode())

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.settimeout(5)
            answer(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join(timeout=5)
    listener.close()
