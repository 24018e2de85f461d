"""Reading host names out of what vendors store as SIP targets (`sip:host:port;params`, `host:port`)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable


def sip_host(value: str) -> str:
    """The host of a SIP URI or `host[:port]`, lowercased: `sip:abc.voiceconnector.chime.aws:5060` → host."""
    text = value.strip()
    for scheme in ("sips:", "sip:"):
        if text.lower().startswith(scheme):
            text = text[len(scheme) :]
    text = text.split(";", 1)[0].split("?", 1)[0]
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    if text.startswith("["):
        return text[1:].split("]", 1)[0].lower()
    return text.split(":", 1)[0].rstrip(".").lower()


def uncovered(required: Iterable[str], allowed: Iterable[str]) -> list[str]:
    """The CIDRs of `required` that no network of `allowed` contains."""
    networks = []
    for cidr in allowed:
        try:
            networks.append(ipaddress.ip_network(str(cidr), strict=False))
        except ValueError:
            continue
    missing = []
    for cidr in required:
        wanted = ipaddress.ip_network(cidr, strict=False)
        if not any(wanted.version == n.version and wanted.subnet_of(n) for n in networks):  # type: ignore[arg-type]
            missing.append(cidr)
    return missing


def allows_all(allowed: Iterable[str]) -> list[str]:
    """Entries that let the whole internet in (`0.0.0.0/0`, or any prefix shorter than /8)."""
    wide = []
    for cidr in allowed:
        try:
            network = ipaddress.ip_network(str(cidr), strict=False)
        except ValueError:
            continue
        if network.prefixlen < 8:
            wide.append(str(cidr))
    return wide
