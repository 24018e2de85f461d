"""SIP peers of the calls tests: sipp answering OPTIONS, a TLS peer's certificate, free loopback ports.

The fixtures that start them are calls/tests/conftest.py's; tests import these names from here, not from
a conftest.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from calls.choices import ProbeStatus
from calls.sip_options import send_options
from testing.waits import wait_until

SIPP = "/usr/bin/sipp"
SCENARIO = Path(__file__).parent / "sipp" / "options_uas.xml"
# Seconds sipp gets to bind and answer its first OPTIONS (slow on 2 shared cores).
SIPP_READY_DEADLINE = 20.0
SIPP_SERVER = "Patchbay-test-sipp"


@dataclass
class SippPeer:
    """A running sipp UAS answering OPTIONS on 127.0.0.1:`port`."""

    port: int
    transport: str
    process: subprocess.Popen[bytes]


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_answering(peer: SippPeer, log: Path) -> None:
    def answered() -> bool:
        if peer.process.poll() is not None:
            pytest.fail(f"sipp exited with {peer.process.returncode}: {log.read_text(errors='replace')}")
        outcome = send_options("127.0.0.1", peer.port, peer.transport, "127.0.0.1", timeout=0.5)
        return outcome.status == ProbeStatus.ANSWERED

    wait_until(
        answered,
        timeout=SIPP_READY_DEADLINE,
        message=lambda: f"sipp did not answer: {log.read_text(errors='replace')}",
    )


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A key and a self-signed certificate for 127.0.0.1 (what a test SIP-over-TLS peer presents)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sip-tls-peer.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / "peer.key", directory / "peer.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


TLS_SERVER = "Patchbay-test-tls-peer"
