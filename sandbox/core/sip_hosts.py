"""The vendors' SIP host names the sandbox knows: whose edge a host is, and what its DNS answers.

Patchbay probes the SIP hosts an integration dials with OPTIONS (calls/probes.py).
In the sandbox those names must resolve — through the sandbox's DNS, never a
real resolver — to the vendor's documented signalling addresses, so Patchbay's
private-address check sees what it would see in production:

- `<credential id>.sip.vapi.ai` of an existing credential → Vapi's US SIP IPs,
  `.sip.eu.vapi.ai` → the EU one (PROVIDERS.md §2.5); `sip[.eu].vapi.ai` too;
- `sip[.us|.eu].synthflow.ai` → that region's signalling addresses (§1.9);
- `<identifier>.byoc.<region domain>` of a live trunk → `GENESYS_BYOC_IPS`
  (a sandbox choice: no public source lists Genesys's BYOC edge addresses);
- `<id>.voiceconnector.chime.aws` is answered from `DnsRecords` as before (the
  engine reads those signalling IPs for Vapi's gateways; nothing here changes them).

The SIP stand-in (`sandbox.core.sip_uas`) uses `vendor_of` to name itself, and
`source_allowed` to stay silent to sources outside a Chime connector's or a Genesys
trunk's allow list (only Vapi's and Synthflow's public edges answer anyone).
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING

from sandbox.synthflow.network import SIGNALLING_CIDRS, SIP_HOSTS

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox

VAPI_SIP_IPS = {"us": ("44.229.228.186", "44.238.177.138"), "eu": ("63.182.83.170",)}
#: Sandbox choice (UNCONFIRMED which addresses a BYOC FQDN resolves to): public, stable, documented here.
GENESYS_BYOC_IPS = ("52.129.96.10",)

_VAPI = re.compile(r"^(?:(?P<credential>[0-9a-f-]{36})\.)?sip(?P<eu>\.eu)?\.vapi\.ai$")
_CHIME = re.compile(r"^[a-z0-9]+\.voiceconnector\.chime\.aws$")
_GENESYS = re.compile(r"^[a-z0-9-]+\.byoc\.[a-z0-9.-]+$")

#: vendor → the `Server:` header its stand-in answers OPTIONS with
SERVER_NAMES = {
    "vapi": "Vapi sandbox",
    "synthflow": "Synthflow sandbox",
    "chime": "Amazon Chime Voice Connector sandbox",
    "genesys": "Genesys Cloud BYOC sandbox",
}


def vendor_of(host: str) -> str | None:
    """Whose SIP edge `host` names (vapi, synthflow, chime, genesys), or None for any other host."""
    host = host.lower().rstrip(".")
    if _VAPI.match(host):
        return "vapi"
    if host in SIP_HOSTS.values():
        return "synthflow"
    if _CHIME.match(host):
        return "chime"
    if _GENESYS.match(host):
        return "genesys"
    return None


def vendor_host_ips(sandbox: Sandbox, host: str) -> list[str] | None:
    """A records for a vendor SIP host that exists in the sandbox right now, else None (NXDOMAIN)."""
    host = host.lower().rstrip(".")
    vapi = _VAPI.match(host)
    if vapi:
        region = "eu" if vapi["eu"] else "us"
        credential = vapi["credential"]
        if credential is None:
            return list(VAPI_SIP_IPS[region])
        with sandbox.lock:
            known = sandbox.has_stand_in("vapi") and credential in sandbox.stand_in("vapi").credentials
        return list(VAPI_SIP_IPS[region]) if known else None
    for region, name in SIP_HOSTS.items():
        if host == name:
            return [cidr.split("/")[0] for cidr in SIGNALLING_CIDRS[region]]
    genesys = sandbox.stand_in("genesys") if sandbox.has_stand_in("genesys") else None
    if _GENESYS.match(host) and genesys is not None and genesys.trunk_for_byoc_host(host) is not None:
        return list(GENESYS_BYOC_IPS)
    return None


#: vendors whose SIP edge answers only the sources its allow list names (issue 12.8): a Chime
#: connector answers its termination's `CidrAllowedList`, a Genesys BYOC trunk its access ACL
ALLOW_LISTED = ("chime", "genesys")


def source_allowed(sandbox: Sandbox, vendor: str, host: str, source_ip: str) -> bool:
    """Whether `vendor`'s edge at `host` answers a request from `source_ip`.

    Vapi's and Synthflow's public edges answer anyone. A Chime connector answers only the
    addresses its termination allows (AWS.md §1.2: CidrAllowedList), and a Genesys BYOC trunk only
    its access ACL (`trunk_access_acl_allowList`): a host with neither answers no one.
    """
    if vendor not in ALLOW_LISTED:
        return True
    return any(_inside(source_ip, cidr) for cidr in _allow_list(sandbox, vendor, host))


def _allow_list(sandbox: Sandbox, vendor: str, host: str) -> list[str]:
    host = host.lower().rstrip(".")
    if vendor == "chime" and sandbox.has_stand_in("chime"):
        with sandbox.lock:
            for connector in sandbox.stand_in("chime").state.connectors.values():
                if connector.host == host:
                    return list((connector.termination or {}).get("CidrAllowedList") or [])
        return []
    genesys = sandbox.stand_in("genesys") if sandbox.has_stand_in("genesys") else None
    if vendor == "genesys" and genesys is not None:
        trunk = genesys.trunk_for_byoc_host(host)
        if trunk is not None:
            with sandbox.lock:
                return list(
                    genesys.trunkbases[trunk["id"]]["instances"].get("trunk_access_acl_allowList") or []
                )
    return []


def _inside(ip: str, cidr: str) -> bool:
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
