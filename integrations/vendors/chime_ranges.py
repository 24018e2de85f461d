"""Where a Chime SDK Voice Connector sends SIP from: the published signalling range of its region.

A connector sends SIP from any address in its region's signalling range, not only from what its
host name `<id>.voiceconnector.chime.aws` resolves to today. Vapi's Chime guide says to allow the
whole range, so Vapi's gateways come from this table (issue 12.2); DNS answers are only a check (an
answer outside the table means the table is out of date: diagnostics `missing-gateway`).

Sources:
- AWS, Amazon Chime SDK administrator guide, "Network configuration and bandwidth requirements"
  (`awsdocs/amazon-chime-administration-guide:doc_source/network-config.md`, Voice Connector
  signalling, UDP/TCP 5060 and TCP 5061), quoted in AWS.md §5.2;
- Vapi's Chime guide (`VapiAI/docs:fern/advanced/sip/sip-chime.mdx`), which repeats both ranges.

Ranges of the other regions a connector may be in are UNCONFIRMED (no current primary source was
found): they are absent here, and for them the gateways fall back to the DNS answers.
"""

from __future__ import annotations

import ipaddress

SIGNALLING_RANGES: dict[str, tuple[str, ...]] = {
    "us-east-1": ("3.80.16.0/23",),
    "us-west-2": ("99.77.253.0/24",),
}

#: Vapi's gateway netmask is 24-32 (PROVIDERS.md §2.2): a wider range becomes several /24 gateways
VAPI_WIDEST_NETMASK = 24


def signalling_ranges(region: str) -> tuple[str, ...] | None:
    """The published signalling networks of a region, or None when none is published."""
    return SIGNALLING_RANGES.get(region)


def as_gateway_networks(cidrs: tuple[str, ...] | list[str]) -> list[ipaddress.IPv4Network]:
    """The networks split so that none is wider than Vapi allows (a /23 → two /24s), sorted."""
    networks: set[ipaddress.IPv4Network] = set()
    for cidr in cidrs:
        network = ipaddress.IPv4Network(cidr, strict=False)
        if network.prefixlen < VAPI_WIDEST_NETMASK:
            networks.update(network.subnets(new_prefix=VAPI_WIDEST_NETMASK))
        else:
            networks.add(network)
    return sorted(networks)


def outside_ranges(ips: list[str], cidrs: tuple[str, ...]) -> list[str]:
    """The addresses of `ips` that no network of `cidrs` holds."""
    networks = [ipaddress.IPv4Network(c) for c in cidrs]
    return [ip for ip in ips if not any(ipaddress.IPv4Address(ip) in n for n in networks)]
