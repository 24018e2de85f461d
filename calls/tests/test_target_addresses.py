"""The private-address guard of SIP probes (calls/target_addresses.py): no address that routes into
Patchbay's own network, written in any IPv4 or IPv6 form, is probed unless ALLOW_PRIVATE_TARGETS."""

from __future__ import annotations

from typing import Any

import pytest

from calls.target_addresses import TargetNotAllowed, resolve_target


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "169.254.169.254",
        "::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254 (the cloud metadata service)
        "2002:c0a8:0001::1",  # 6to4 of 192.168.0.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "::127.0.0.1",  # IPv4-compatible (deprecated)
        "fc00::1",
        "fe80::1",
    ],
)
def test_every_form_of_a_private_address_is_refused(settings: Any, address: str) -> None:
    settings.ALLOW_PRIVATE_TARGETS = False

    with pytest.raises(TargetNotAllowed, match="ALLOW_PRIVATE_TARGETS is off"):
        resolve_target(address, 5060, "udp")


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "2002:808:808::1", "::ffff:8.8.8.8"])
def test_public_addresses_and_6to4_of_a_public_one_are_allowed(settings: Any, address: str) -> None:
    settings.ALLOW_PRIVATE_TARGETS = False

    assert resolve_target(address, 5060, "udp") == [address]
