"""`dns.connector_ips`: a data source, the A records of a Voice Connector's outbound host name.

Chime publishes no API for a connector's signalling addresses: they are what
`<id>.voiceconnector.chime.aws` resolves to, and they change (AWS.md §5.2), so
they are looked up on every observe. `CHIME_DNS_SERVER` ("host:port") points
the lookup at the sandbox's DNS; unset, the system resolver answers.
"""

from __future__ import annotations

import dns.exception
import dns.resolver
from django.conf import settings

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, contains_unknown
from integrations.vendors.errors import VendorUnavailable


def _resolver() -> dns.resolver.Resolver:
    """A resolver aimed at CHIME_DNS_SERVER when it is set, else the system's."""
    server = settings.CHIME_DNS_SERVER
    if not server:
        resolver = dns.resolver.Resolver()
    else:
        host, _, port = server.rpartition(":")
        if not host:
            raise ValueError(f"CHIME_DNS_SERVER must be host:port, got {server!r}")
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [host.strip("[]")]
        resolver.port = int(port)
    resolver.lifetime = settings.DNS_LIFETIME_SECONDS
    resolver.cache = None  # the addresses change; never answer from a cache of our own
    return resolver


def resolve_connector_ips(host: str) -> list[str] | None:
    """The host's IPv4 addresses, sorted; None when the name does not exist or has no A record."""
    try:
        answer = _resolver().resolve(host, "A")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return None
    except (dns.exception.Timeout, dns.resolver.NoNameservers) as error:
        reason = type(error).__name__
        raise VendorUnavailable(f"DNS lookup of {host} failed: {reason}", vendor="dns") from None
    return sorted({record.to_text() for record in answer}, key=_ip_order)


def _ip_order(ip: str) -> tuple[int, ...]:
    return tuple(int(part) for part in ip.split("."))


class ConnectorIps(ResourceType):
    """The signalling IPs a connector's host name resolves to (observe only)."""

    type_name = "dns.connector_ips"
    account_kind = ""
    name_max_length = 253  # a DNS name; nothing is created under it
    observe_only = True

    def observe(self, ctx: NodeContext) -> Observation:
        """Resolve the host; a name that does not exist (NXDOMAIN) is an absent data source."""
        host = ctx.spec["host"]
        if not host or contains_unknown(host):
            return Observation(exists=False)
        ips = resolve_connector_ips(host)
        if ips is None:
            return Observation(exists=False)
        return Observation(exists=True, outputs={"ips": ips}, external_id=host)

    def create(self, ctx: NodeContext) -> str:
        """Never called: a data source is only observed."""
        raise TypeError(f"{self.type_name} is a data source: it is only observed, never created")

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Never called: a data source is only observed."""
        raise TypeError(f"{self.type_name} is a data source: it is only observed, never updated")

    def delete(self, ctx: NodeContext) -> None:
        """Never called: a data source is only observed."""
        raise TypeError(f"{self.type_name} is a data source: it is only observed, never deleted")
