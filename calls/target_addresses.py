"""Where a SIP probe may go: resolve a target's host and refuse addresses inside our own network.

User-given hosts must not become a way into Patchbay's own network (DESIGN §3):
every address a host resolves to is checked, and private, loopback,
link-local, multicast and reserved ones are refused unless
`ALLOW_PRIVATE_TARGETS`. Host names resolve through `PROBE_DNS_SERVER` when it
is set (it defaults to `CHIME_DNS_SERVER`, the sandbox's DNS in `make run` and
tests), so a demo's probes never look up, let alone reach, a real vendor's host.

`PROBE_HOST_OVERRIDE` ("host:port", set by `make run` to the sandbox's SIP
stand-in) changes only where the OPTIONS is sent, after the target resolved and
every address passed the check: a user-given host that resolves to a private
address is still refused, and the override (an operator's setting, never a
user's input) is the only loopback destination a probe can reach without
`ALLOW_PRIVATE_TARGETS`.
"""

from __future__ import annotations

import ipaddress
import socket

import dns.exception
import dns.resolver
from django.conf import settings

from calls.choices import ProbeStatus, Transport


class TargetError(ValueError):
    """The target cannot be probed: it does not resolve (`TargetUnresolvable`) or is not allowed."""

    status = ProbeStatus.ERROR


class TargetUnresolvable(TargetError):
    """The host name has no address."""


class TargetNotAllowed(TargetError):
    """The host resolves to an address Patchbay must not probe (DESIGN §3)."""

    status = ProbeStatus.BLOCKED


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address routes to through a relay: 6to4 (2002::/16, RFC 3056:
    `2002:7f00:1::1` reaches 127.0.0.1) and Teredo (2001::/32, RFC 4380: its server and, de-obfuscated,
    its client)."""
    return [address for address in (ip.sixtofour, *(ip.teredo or ())) if address is not None]


def _not_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for an address that is not public, or an IPv6 address that embeds an IPv4 one that is not."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d (RFC 4291 §2.5.5.2)
            return _not_public(ip.ipv4_mapped)
        if any(_not_public(address) for address in _embedded_ipv4(ip)):
            return True
    return _not_public(ip)


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _via_dns_server(host: str, server: str) -> list[str]:
    """A records of `host` from the DNS server at `server` ("host:port")."""
    address, _, port = server.rpartition(":")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [address.strip("[]")]
    resolver.port = int(port)
    resolver.lifetime = settings.DNS_LIFETIME_SECONDS
    try:
        answer = resolver.resolve(host, "A")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except (dns.exception.Timeout, dns.resolver.NoNameservers) as error:
        raise TargetUnresolvable(f"{host} does not resolve ({type(error).__name__} from {server})") from None
    return sorted({record.to_text() for record in answer})


def _resolve(host: str, port: int, transport: str) -> list[str]:
    if _is_literal(host):
        return [host.strip("[]")]
    if settings.PROBE_DNS_SERVER:
        return _via_dns_server(host, settings.PROBE_DNS_SERVER)
    kind = socket.SOCK_DGRAM if transport == Transport.UDP else socket.SOCK_STREAM
    try:
        infos = socket.getaddrinfo(host, port, type=kind)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetUnresolvable(f"{host} does not resolve ({error})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def resolve_target(host: str, port: int, transport: str) -> list[str]:
    """The addresses of `host`, every one checked against the private-target policy."""
    addresses = _resolve(host, port, transport)
    if not addresses:
        raise TargetUnresolvable(f"{host} does not resolve (no address)")
    if not settings.ALLOW_PRIVATE_TARGETS:
        for address in addresses:
            if _refused(ipaddress.ip_address(address.split("%")[0])):
                raise TargetNotAllowed(
                    f"{host} resolves to {address}, a private, loopback, link-local or reserved address; "
                    "probes to it are refused (ALLOW_PRIVATE_TARGETS is off)"
                )
    return addresses


def probe_destination(addresses: list[str], port: int) -> tuple[str, int]:
    """Where the OPTIONS goes: the first checked address and the target's port, or the override."""
    override = settings.PROBE_HOST_OVERRIDE
    if not override:
        return addresses[0], port
    host, _, override_port = override.rpartition(":")
    if not host or not override_port.isdigit():
        raise ValueError(f"PROBE_HOST_OVERRIDE must be host:port, not {override!r}")
    return host.strip("[]"), int(override_port)
