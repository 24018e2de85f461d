"""Twilio's 2010 REST API for SIP ingress: IP Access Control Lists (with their IpAddresses), SIP Domains, and
a domain's Auth/Calls IpAccessControlListMappings.

Sources: twilio.com/docs/voice/sip/api/sip-ipaccesscontrollist-resource, .../sip-ipaddress-resource,
.../sip-domain-resource, .../sip-auth-calls-ipaccesscontrollistmapping, and twilio-python's resources of
the same names (the sandbox's library_reference.py checks every request and answer against them).
Mixed into `TwilioClient` (integrations/vendors/twilio.py), which brings auth, errors and `request`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

API_VERSION = "/2010-04-01"
#: asked per page; an account has few lists and domains, so one page nearly always answers
PAGE_SIZE = 1000


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class IpAcl:
    """An IP Access Control List."""

    sid: str
    friendly_name: str


@dataclass(frozen=True)
class AclAddress:
    """One entry of a list: an IPv4 address and its CIDR prefix length."""

    sid: str
    friendly_name: str
    ip_address: str
    cidr_prefix_length: int

    @property
    def cidr(self) -> str:
        return f"{self.ip_address}/{self.cidr_prefix_length}"


@dataclass(frozen=True)
class SipDomain:
    """A SIP Domain (`<name>.sip.twilio.com`) and where its calls are sent."""

    sid: str
    domain_name: str
    friendly_name: str
    voice_url: str
    voice_method: str
    voice_fallback_url: str
    voice_fallback_method: str
    #: the auth mapped to the domain (`IP_ACL`, `CREDENTIAL_LIST`); empty: it takes no calls at all
    auth_type: str


def _acl(data: Mapping[str, Any]) -> IpAcl:
    return IpAcl(sid=_text(data.get("sid")), friendly_name=_text(data.get("friendly_name")))


def _address(data: Mapping[str, Any]) -> AclAddress:
    try:
        prefix = int(data.get("cidr_prefix_length") or 32)
    except (TypeError, ValueError):
        prefix = 32
    return AclAddress(
        sid=_text(data.get("sid")),
        friendly_name=_text(data.get("friendly_name")),
        ip_address=_text(data.get("ip_address")),
        cidr_prefix_length=prefix,
    )


def _domain(data: Mapping[str, Any]) -> SipDomain:
    return SipDomain(
        sid=_text(data.get("sid")),
        domain_name=_text(data.get("domain_name")).lower(),
        friendly_name=_text(data.get("friendly_name")),
        voice_url=_text(data.get("voice_url")),
        voice_method=_text(data.get("voice_method")).upper() or "POST",
        voice_fallback_url=_text(data.get("voice_fallback_url")),
        voice_fallback_method=_text(data.get("voice_fallback_method")).upper() or "POST",
        auth_type=_text(data.get("auth_type")),
    )


class TwilioSipApi:
    """The SIP ingress half of `TwilioClient`."""

    account_sid: str
    if TYPE_CHECKING:  # VendorHttpClient's, through TwilioClient

        def request(
            self,
            method: str,
            path: str,
            *,
            json: Any = None,
            params: Mapping[str, Any] | None = None,
            data: Mapping[str, Any] | None = None,
            sleep: Callable[[float], None] = ...,
            attempts: int | None = None,
            timeout: float | None = None,
        ) -> httpx.Response: ...

    def _sip_path(self, suffix: str) -> str:
        return f"{API_VERSION}/Accounts/{self.account_sid}/SIP{suffix}.json"

    def _records(self, path: str, key: str) -> Iterator[Mapping[str, Any]]:
        """Every record of a list, following `next_page_uri` (a path with its own query string)."""
        next_path: str | None = path
        params: dict[str, Any] | None = {"PageSize": PAGE_SIZE}
        while next_path:
            answer = self.request("GET", next_path, params=params).json()
            yield from answer.get(key) or []
            next_path, params = answer.get("next_page_uri") or None, None

    # -- IP Access Control Lists ---------------------------------------------------------------------------

    def list_acls(self) -> list[IpAcl]:
        """`GET SIP/IpAccessControlLists.json`, every page."""
        return [
            _acl(r) for r in self._records(self._sip_path("/IpAccessControlLists"), "ip_access_control_lists")
        ]

    def find_acl(self, friendly_name: str) -> IpAcl | None:
        """The first list named `friendly_name` (Twilio does not make names unique), or None."""
        return next((acl for acl in self.list_acls() if acl.friendly_name == friendly_name), None)

    def get_acl(self, sid: str) -> IpAcl:
        """`GET SIP/IpAccessControlLists/{sid}.json`; `NotFound` (20404) when it is gone."""
        return _acl(self.request("GET", self._sip_path(f"/IpAccessControlLists/{sid}")).json())

    def create_acl(self, friendly_name: str) -> IpAcl:
        """`POST SIP/IpAccessControlLists.json`."""
        form = {"FriendlyName": friendly_name}
        return _acl(self.request("POST", self._sip_path("/IpAccessControlLists"), data=form).json())

    def delete_acl(self, sid: str) -> None:
        """`DELETE SIP/IpAccessControlLists/{sid}.json` (refused while a domain maps it)."""
        self.request("DELETE", self._sip_path(f"/IpAccessControlLists/{sid}"))

    def list_acl_addresses(self, acl_sid: str) -> list[AclAddress]:
        """`GET SIP/IpAccessControlLists/{sid}/IpAddresses.json`, every page."""
        path = self._sip_path(f"/IpAccessControlLists/{acl_sid}/IpAddresses")
        return [_address(r) for r in self._records(path, "ip_addresses")]

    def add_acl_address(self, acl_sid: str, friendly_name: str, ip_address: str, prefix: int) -> AclAddress:
        """`POST SIP/IpAccessControlLists/{sid}/IpAddresses.json`."""
        form = {"FriendlyName": friendly_name, "IpAddress": ip_address, "CidrPrefixLength": str(prefix)}
        path = self._sip_path(f"/IpAccessControlLists/{acl_sid}/IpAddresses")
        return _address(self.request("POST", path, data=form).json())

    def delete_acl_address(self, acl_sid: str, sid: str) -> None:
        """`DELETE SIP/IpAccessControlLists/{acl}/IpAddresses/{sid}.json`."""
        self.request("DELETE", self._sip_path(f"/IpAccessControlLists/{acl_sid}/IpAddresses/{sid}"))

    # -- SIP Domains ----------------------------------------------------------------------------------

    def list_domains(self) -> list[SipDomain]:
        """`GET SIP/Domains.json`, every page."""
        return [_domain(r) for r in self._records(self._sip_path("/Domains"), "domains")]

    def find_domain(self, domain_name: str) -> SipDomain | None:
        """The account's domain `domain_name` (unique across Twilio), or None."""
        wanted = domain_name.lower()
        return next((d for d in self.list_domains() if d.domain_name == wanted), None)

    def get_domain(self, sid: str) -> SipDomain:
        """`GET SIP/Domains/{sid}.json`; `NotFound` (20404) when it is gone."""
        return _domain(self.request("GET", self._sip_path(f"/Domains/{sid}")).json())

    def create_domain(self, domain_name: str, **fields: str) -> SipDomain:
        """`POST SIP/Domains.json` with DomainName and `fields` (FriendlyName, VoiceUrl, VoiceMethod, ...)."""
        form = {"DomainName": domain_name, **fields}
        return _domain(self.request("POST", self._sip_path("/Domains"), data=form).json())

    def update_domain(self, sid: str, **fields: str) -> SipDomain:
        """`POST SIP/Domains/{sid}.json` with Twilio's parameter names."""
        return _domain(self.request("POST", self._sip_path(f"/Domains/{sid}"), data=fields).json())

    def delete_domain(self, sid: str) -> None:
        """`DELETE SIP/Domains/{sid}.json` (its mappings go with it)."""
        self.request("DELETE", self._sip_path(f"/Domains/{sid}"))

    def _mappings_path(self, domain_sid: str, suffix: str = "") -> str:
        return self._sip_path(f"/Domains/{domain_sid}/Auth/Calls/IpAccessControlListMappings{suffix}")

    def list_call_acl_mappings(self, domain_sid: str) -> list[str]:
        """The sids of the lists mapped for calls on the domain (a mapping's sid is its list's)."""
        return [_text(r.get("sid")) for r in self._records(self._mappings_path(domain_sid), "contents")]

    def map_call_acl(self, domain_sid: str, acl_sid: str) -> None:
        """`POST .../Auth/Calls/IpAccessControlListMappings.json`: the list's addresses may call."""
        self.request("POST", self._mappings_path(domain_sid), data={"IpAccessControlListSid": acl_sid})

    def unmap_call_acl(self, domain_sid: str, acl_sid: str) -> None:
        """`DELETE .../Auth/Calls/IpAccessControlListMappings/{acl sid}.json`."""
        self.request("DELETE", self._mappings_path(domain_sid, f"/{acl_sid}"))
