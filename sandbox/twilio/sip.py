"""Twilio's SIP ingress objects over the 2010-04-01 API: IP Access Control Lists with their IpAddresses,
SIP Domains, and a domain's calls auth mapping to an ACL.

Sources (twilio.com, and twilio-python 9.13's resources, which sandbox/twilio/library_reference.py
checks every answer against):
- /docs/voice/sip/api/sip-ipaccesscontrollist-resource: `AL` sids, FriendlyName (required, up to 255
  characters); "up to 100 entries" per list; a list takes effect only once mapped to a domain.
- /docs/voice/sip/api/sip-ipaddress-resource: `IP` sids, IpAddress (IPv4 dotted decimal), FriendlyName
  (required, up to 255), CidrPrefixLength (default 32).
- /docs/voice/sip/api/sip-domain-resource: `SD` sids; DomainName (required) "can contain letters,
  digits, and - and must end with sip.twilio.com", unique across all Twilio accounts; FriendlyName up
  to 64; VoiceUrl/VoiceMethod/VoiceFallbackUrl/...; `auth_type` lists the mapped auth ("if auth_type is
  not defined, the domain will not be able to receive any traffic").
- /docs/voice/sip/api/sip-auth-calls-ipaccesscontrollistmapping: POST IpAccessControlListSid maps a list
  for calls; the mapping's sid is the list's `AL` sid; lists answer under `contents`.

UNCONFIRMED (not on those pages): the error codes of a DomainName already taken and of deleting a list
still mapped to a domain (the sandbox answers 400 with Twilio's generic code 400 for both).
"""

from __future__ import annotations

import ipaddress
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, VendorHttpError, json_response
from sandbox.twilio.numbers import API, rfc2822
from sandbox.twilio.sip_rules import DOMAIN_FIELDS, MAX_ACL_ENTRIES

if TYPE_CHECKING:
    from sandbox.twilio.stand_in import TwilioStandIn

FORM_TYPES = ("application/x-www-form-urlencoded", "")


def _gone(call: HttpCall) -> VendorHttpError:
    return VendorHttpError(404, "20404", f"The requested resource {call.path} was not found")


def _account(call: HttpCall) -> str:
    if call.params["account_sid"] != call.account:
        raise _gone(call)
    return call.account


def _form(tw: TwilioStandIn, call: HttpCall) -> dict[str, str]:
    if call.request.mimetype not in FORM_TYPES:
        raise VendorHttpError(400, "400", "Request body must be application/x-www-form-urlencoded")
    form = call.form()
    tw.raise_violations(call.body_violations(form, from_strings=True))
    return form


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def _page(call: HttpCall, key: str, records: list[dict[str, Any]]) -> Response:
    """Twilio's paging envelope around `records` (already public), `PageSize`/`Page` from the query."""
    query = call.query()
    call.stand_in.raise_violations(call.query_violations(query))  # type: ignore[attr-defined]
    size, page = int(query.get("PageSize", 50)), int(query.get("Page", 0))
    base = call.path.split("?")[0]

    def uri(number: int) -> str:
        return f"{base}?{urlencode({'PageSize': size, 'Page': number})}"

    chunk = records[page * size : (page + 1) * size]
    has_next = (page + 1) * size < len(records)
    return json_response(
        {
            key: chunk,
            "page": page,
            "page_size": size,
            "start": page * size,
            "end": page * size + max(len(chunk) - 1, 0),
            "uri": uri(page),
            "first_page_uri": uri(0),
            "next_page_uri": uri(page + 1) if has_next else None,
            "previous_page_uri": uri(page - 1) if page > 0 else None,
        }
    )


# -- IP Access Control Lists -----------------------------------------------------------------------------


def _acl_uri(acl: dict[str, Any]) -> str:
    return f"{API}/Accounts/{acl['account_sid']}/SIP/IpAccessControlLists/{acl['sid']}.json"


def public_acl(acl: dict[str, Any]) -> dict[str, Any]:
    """The IpAccessControlList resource as Twilio answers it."""
    uri = _acl_uri(acl)
    return {
        "sid": acl["sid"],
        "account_sid": acl["account_sid"],
        "friendly_name": acl["friendly_name"],
        "date_created": acl["date_created"],
        "date_updated": acl["date_updated"],
        "subresource_uris": {"ip_addresses": uri.replace(".json", "/IpAddresses.json")},
        "uri": uri,
    }


def public_address(acl: dict[str, Any], address: dict[str, Any]) -> dict[str, Any]:
    """The IpAddress resource as Twilio answers it."""
    return {
        **address,
        "account_sid": acl["account_sid"],
        "ip_access_control_list_sid": acl["sid"],
        "uri": _acl_uri(acl).replace(".json", f"/IpAddresses/{address['sid']}.json"),
    }


def list_acls(tw: TwilioStandIn, call: HttpCall) -> Response:
    """GET .../SIP/IpAccessControlLists.json."""
    account = _account(call)
    acls = [public_acl(a) for a in tw.acls.values() if a["account_sid"] == account]
    return _page(call, "ip_access_control_lists", acls)


def create_acl(tw: TwilioStandIn, call: HttpCall) -> Response:
    """POST .../SIP/IpAccessControlLists.json (FriendlyName)."""
    account = _account(call)
    form = _form(tw, call)
    now = rfc2822(time.time())
    acl: dict[str, Any] = {
        "sid": _sid("AL"),
        "account_sid": account,
        "friendly_name": form["FriendlyName"],
        "date_created": now,
        "date_updated": now,
        "addresses": {},
    }
    tw.acls[acl["sid"]] = acl
    return json_response(public_acl(acl), 201)


def _owned_acl(tw: TwilioStandIn, call: HttpCall, key: str = "sid") -> dict[str, Any]:
    account = _account(call)
    acl = tw.acls.get(call.params[key])
    if acl is None or acl["account_sid"] != account:
        raise _gone(call)
    return acl


def fetch_acl(tw: TwilioStandIn, call: HttpCall) -> Response:
    """GET .../SIP/IpAccessControlLists/{Sid}.json."""
    return json_response(public_acl(_owned_acl(tw, call)))


def delete_acl(tw: TwilioStandIn, call: HttpCall) -> Response:
    """DELETE .../SIP/IpAccessControlLists/{Sid}.json → 204; refused while a domain still maps it."""
    acl = _owned_acl(tw, call)
    mapped = [d["domain_name"] for d in tw.domains.values() if acl["sid"] in d["call_acls"]]
    if mapped:
        raise VendorHttpError(
            400, "400", f"IpAccessControlList {acl['sid']} is still mapped to {', '.join(mapped)}"
        )
    del tw.acls[acl["sid"]]
    return Response(status=204)


def list_addresses(tw: TwilioStandIn, call: HttpCall) -> Response:
    """GET .../IpAccessControlLists/{AclSid}/IpAddresses.json."""
    acl = _owned_acl(tw, call, "acl_sid")
    return _page(call, "ip_addresses", [public_address(acl, a) for a in acl["addresses"].values()])


def create_address(tw: TwilioStandIn, call: HttpCall) -> Response:
    """POST .../IpAccessControlLists/{AclSid}/IpAddresses.json (FriendlyName, IpAddress, CidrPrefixLength)."""
    acl = _owned_acl(tw, call, "acl_sid")
    form = _form(tw, call)
    if len(acl["addresses"]) >= MAX_ACL_ENTRIES:
        raise VendorHttpError(400, "400", f"An IpAccessControlList holds at most {MAX_ACL_ENTRIES} entries")
    now = rfc2822(time.time())
    address = {
        "sid": _sid("IP"),
        "friendly_name": form["FriendlyName"],
        "ip_address": form["IpAddress"],
        "cidr_prefix_length": int(form.get("CidrPrefixLength") or 32),
        "date_created": now,
        "date_updated": now,
    }
    acl["addresses"][address["sid"]] = address
    return json_response(public_address(acl, address), 201)


def delete_address(tw: TwilioStandIn, call: HttpCall) -> Response:
    """DELETE .../IpAccessControlLists/{AclSid}/IpAddresses/{Sid}.json → 204."""
    acl = _owned_acl(tw, call, "acl_sid")
    if acl["addresses"].pop(call.params["sid"], None) is None:
        raise _gone(call)
    return Response(status=204)


def acl_networks(acl: dict[str, Any]) -> list[ipaddress.IPv4Network]:
    """The networks a list lets in."""
    return [
        ipaddress.IPv4Network(f"{a['ip_address']}/{a['cidr_prefix_length']}", strict=False)
        for a in acl["addresses"].values()
    ]


# -- SIP Domains -----------------------------------------------------------------------------------------


def public_domain(domain: dict[str, Any]) -> dict[str, Any]:
    """The SIP Domain resource as Twilio answers it."""
    uri = f"{API}/Accounts/{domain['account_sid']}/SIP/Domains/{domain['sid']}.json"
    base = uri.removesuffix(".json")
    public = {k: v for k, v in domain.items() if k != "call_acls"}
    return {
        **public,
        "api_version": "2010-04-01",
        "auth_type": "IP_ACL" if domain["call_acls"] else "",
        "uri": uri,
        "subresource_uris": {
            "ip_access_control_list_mappings": f"{base}/IpAccessControlListMappings.json",
            "credential_list_mappings": f"{base}/CredentialListMappings.json",
            "auth_calls_mappings": f"{base}/Auth/Calls.json",
            "auth_registrations_mappings": f"{base}/Auth/Registrations.json",
        },
    }


def _apply(domain: dict[str, Any], form: dict[str, str]) -> None:
    for param, field in DOMAIN_FIELDS.items():
        if param not in form:
            continue
        value: Any = form[param]
        if field in ("sip_registration", "emergency_calling_enabled", "secure"):
            value = value.lower() == "true"
        elif field.endswith("_method"):
            value = value.upper()
        domain[field] = value


def list_domains(tw: TwilioStandIn, call: HttpCall) -> Response:
    """GET .../SIP/Domains.json."""
    account = _account(call)
    return _page(
        call, "domains", [public_domain(d) for d in tw.domains.values() if d["account_sid"] == account]
    )


def create_domain(tw: TwilioStandIn, call: HttpCall) -> Response:
    """POST .../SIP/Domains.json; DomainName is unique across every account."""
    account = _account(call)
    form = _form(tw, call)
    name = form["DomainName"].lower()
    if any(d["domain_name"] == name for d in tw.domains.values()):
        raise VendorHttpError(400, "400", f"DomainName {name} is already in use")
    now = rfc2822(time.time())
    domain: dict[str, Any] = {
        "sid": _sid("SD"),
        "account_sid": account,
        "domain_name": name,
        "friendly_name": "",
        "voice_url": None,
        "voice_method": "POST",
        "voice_fallback_url": None,
        "voice_fallback_method": "POST",
        "voice_status_callback_url": None,
        "voice_status_callback_method": "POST",
        "sip_registration": False,
        "emergency_calling_enabled": False,
        "secure": False,
        "byoc_trunk_sid": None,
        "emergency_caller_sid": None,
        "date_created": now,
        "date_updated": now,
        "call_acls": [],
    }
    _apply(domain, {k: v for k, v in form.items() if k != "DomainName"})
    tw.domains[domain["sid"]] = domain
    return json_response(public_domain(domain), 201)


def _owned_domain(tw: TwilioStandIn, call: HttpCall, key: str = "sid") -> dict[str, Any]:
    account = _account(call)
    domain = tw.domains.get(call.params[key])
    if domain is None or domain["account_sid"] != account:
        raise _gone(call)
    return domain


def fetch_domain(tw: TwilioStandIn, call: HttpCall) -> Response:
    """GET .../SIP/Domains/{Sid}.json."""
    return json_response(public_domain(_owned_domain(tw, call)))


def update_domain(tw: TwilioStandIn, call: HttpCall) -> Response:
    """POST .../SIP/Domains/{Sid}.json; a new DomainName must be free too."""
    domain = _owned_domain(tw, call)
    form = _form(tw, call)
    if "DomainName" in form:
        name = form["DomainName"].lower()
        if any(d["domain_name"] == name and d is not domain for d in tw.domains.values()):
            raise VendorHttpError(400, "400", f"DomainName {name} is already in use")
        domain["domain_name"] = name
    _apply(domain, form)
    domain["date_updated"] = rfc2822(time.time())
    return json_response(public_domain(domain))


def delete_domain(tw: TwilioStandIn, call: HttpCall) -> Response:
    """DELETE .../SIP/Domains/{Sid}.json → 204 (its mappings go with it)."""
    domain = _owned_domain(tw, call)
    del tw.domains[domain["sid"]]
    return Response(status=204)


def public_mapping(tw: TwilioStandIn, domain: dict[str, Any], acl_sid: str) -> dict[str, Any]:
    """An AuthCallsIpAccessControlListMapping: the mapped list's sid and name."""
    acl = tw.acls[acl_sid]
    return {
        "account_sid": domain["account_sid"],
        "date_created": acl["date_created"],
        "date_updated": acl["date_updated"],
        "friendly_name": acl["friendly_name"],
        "sid": acl_sid,
    }


def list_call_mappings(tw: TwilioStandIn, call: HttpCall) -> Response:
    """GET .../SIP/Domains/{DomainSid}/Auth/Calls/IpAccessControlListMappings.json (records in `contents`)."""
    domain = _owned_domain(tw, call, "domain_sid")
    return _page(call, "contents", [public_mapping(tw, domain, sid) for sid in domain["call_acls"]])


def create_call_mapping(tw: TwilioStandIn, call: HttpCall) -> Response:
    """POST .../Auth/Calls/IpAccessControlListMappings.json (IpAccessControlListSid of this account)."""
    domain = _owned_domain(tw, call, "domain_sid")
    acl_sid = _form(tw, call)["IpAccessControlListSid"]
    acl = tw.acls.get(acl_sid)
    if acl is None or acl["account_sid"] != domain["account_sid"]:
        raise VendorHttpError(
            404, "20404", f"The requested resource IpAccessControlList {acl_sid} was not found"
        )
    if acl_sid in domain["call_acls"]:
        raise VendorHttpError(400, "400", f"IpAccessControlList {acl_sid} is already mapped to the domain")
    domain["call_acls"].append(acl_sid)
    return json_response(public_mapping(tw, domain, acl_sid), 201)


def delete_call_mapping(tw: TwilioStandIn, call: HttpCall) -> Response:
    """DELETE .../Auth/Calls/IpAccessControlListMappings/{Sid}.json → 204."""
    domain = _owned_domain(tw, call, "domain_sid")
    if call.params["sid"] not in domain["call_acls"]:
        raise _gone(call)
    domain["call_acls"].remove(call.params["sid"])
    return Response(status=204)
