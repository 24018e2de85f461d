"""The signalling addresses a Voice Connector's host name resolves to, per region.

AWS publishes the Voice Connector signalling ranges per region
(`awsdocs/amazon-chime-administration-guide:doc_source/network-config.md`,
AWS.md §5.2): us-east-1 `3.80.16.0/23`, us-west-2 `99.77.253.0/24`. A connector's host name
resolves to a handful of them, but its INVITEs come from anywhere in the range
(`source_address`). The ranges
of the other regions are UNCONFIRMED, so each gets a made-up /24 inside
198.18.0.0/15 (RFC 2544's benchmarking block, never routed on the Internet),
listed in `MADE_UP_RANGES` and in sandbox/README.md.
"""

from __future__ import annotations

import hashlib
import ipaddress
import random

#: how many signalling addresses a connector's host resolves to
ADDRESSES_PER_CONNECTOR = 4

PUBLISHED_RANGES: dict[str, str] = {
    "us-east-1": "3.80.16.0/23",
    "us-west-2": "99.77.253.0/24",
}

MADE_UP_RANGES: dict[str, str] = {
    "ca-central-1": "198.18.1.0/24",
    "eu-central-1": "198.18.2.0/24",
    "eu-west-1": "198.18.3.0/24",
    "eu-west-2": "198.18.4.0/24",
    "ap-northeast-2": "198.18.5.0/24",
    "ap-northeast-1": "198.18.6.0/24",
    "ap-southeast-1": "198.18.7.0/24",
    "ap-southeast-2": "198.18.8.0/24",
}

#: the range of a region the model allows but neither list names (should botocore add one)
FALLBACK_RANGE = "198.18.255.0/24"


def signalling_range(region: str) -> ipaddress.IPv4Network:
    """The network a connector of this region signals from."""
    cidr = PUBLISHED_RANGES.get(region) or MADE_UP_RANGES.get(region) or FALLBACK_RANGE
    return ipaddress.IPv4Network(cidr)


def connector_addresses(connector_id: str, region: str) -> list[str]:
    """A stable handful of addresses inside the region's range for one connector."""
    hosts = list(signalling_range(region).hosts())
    seed = int.from_bytes(hashlib.sha256(connector_id.encode()).digest()[:8], "big")
    picked = random.Random(seed).sample(hosts, ADDRESSES_PER_CONNECTOR)
    return [str(ip) for ip in sorted(picked)]


def source_address(region: str, pinned: str = "") -> str:
    """The address one INVITE of a connector comes from: anywhere in the region's range.

    Chime sends SIP from the whole published signalling range of the region, not only from what
    the connector's host name resolves to (AWS.md §5.2; Vapi's Chime guide says to allow the whole
    range), so an allow list of today's DNS answers fails some calls. `pinned` (the Chime
    stand-in's `connector_source_ip` option) fixes the address, if it is inside the range.
    """
    network = signalling_range(region)
    if pinned:
        if ipaddress.IPv4Address(pinned) not in network:
            raise ValueError(f"connector_source_ip {pinned} is outside {region}'s signalling range {network}")
        return pinned
    return str(network.network_address + random.randrange(1, network.num_addresses - 1))
