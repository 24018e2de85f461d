"""Twilio's own Python library (PyPI `twilio`, pinned in requirements.txt) as the reference for the 2010 API
and TwiML: what a request may carry, what an answer must hold, what a TwiML document may say. It covers
IncomingPhoneNumbers and the SIP ingress objects: IpAccessControlLists and their IpAddresses, Domains
and a domain's Auth/Calls IpAccessControlListMappings (`OPERATIONS`, named as the sandbox routes are).

- Requests: `operation_request()` runs the library's own method for an operation
  (e.g. `incoming_phone_numbers.page`, `sip.domains(sid).update`) with a recording
  HTTP client, so the library itself says which method, path and form or query
  parameters that operation has and how it spells each value. `request_problems()`
  holds a request Patchbay sent to it: an unknown parameter is a problem, and the
  library, given the same values, must send exactly the same parameters.
- Answers: `instance_problems()` builds the library's instance (`RESOURCES[operation]`:
  IncomingPhoneNumberInstance, IpAccessControlListInstance, IpAddressInstance, DomainInstance,
  AuthCallsIpAccessControlListMappingInstance) from an answer with a payload that
  records every key the library reads: a key it does not read is unknown, a key it
  reads that is absent is missing, a date it cannot parse stays a string, a boolean
  or integer field of another type (all problems). `page_problems()` holds a list answer to
  the library's `Page` (its META_KEYS plus exactly one list of records);
  `error_problems()` turns an error answer into the library's TwilioRestException.
- TwiML: `twiml_problems()` rebuilds a document with the library's `VoiceResponse`
  builder, element by element, using only the builder's named parameters: a verb or
  noun the builder has no method for, or an attribute it has no parameter for, is a
  problem, and the rebuilt document must equal the one given.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from twilio.base.page import Page
from twilio.base.version import Version
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client
from twilio.rest.api.v2010.account.incoming_phone_number import IncomingPhoneNumberInstance
from twilio.rest.api.v2010.account.sip.domain import DomainInstance
from twilio.rest.api.v2010.account.sip.domain.auth_types.auth_type_calls import (
    auth_calls_ip_access_control_list_mapping as calls_mapping,
)
from twilio.rest.api.v2010.account.sip.ip_access_control_list import IpAccessControlListInstance
from twilio.rest.api.v2010.account.sip.ip_access_control_list.ip_address import IpAddressInstance
from twilio.twiml.voice_response import VoiceResponse

ACCOUNT, SID = "AC" + "0" * 32, "PN" + "0" * 32
#: placeholder sids of the SIP objects (a list, an address, a domain) the library's paths are built with
ACL_SID, ADDRESS_SID, DOMAIN_SID = "AL" + "0" * 32, "IP" + "0" * 32, "SD" + "0" * 32
RECORDS_KEY = "incoming_phone_numbers"
#: keys the 2010 API answers on every resource that twilio-python deliberately does not read: the
#: `subresource_uris` links (twilio.com/docs/phone-numbers/api/incomingphonenumber-resource, examples)
NOT_READ_BY_THE_LIBRARY = frozenset({"subresource_uris"})
DATE_FIELDS = ("date_created", "date_updated")


@dataclass(frozen=True)
class Resource:
    """One 2010 API resource as twilio-python reads it: its instance class, its list key, typed fields."""

    name: str
    #: builds the library's instance from a payload (the path sids are placeholders)
    build: Callable[[Version, dict[str, Any]], Any]
    records_key: str
    booleans: tuple[str, ...] = ()
    integers: tuple[str, ...] = ()


NUMBER = Resource(
    "IncomingPhoneNumberInstance",
    lambda v, p: IncomingPhoneNumberInstance(v, p, account_sid=str(p.get("account_sid")), sid=p.get("sid")),
    RECORDS_KEY,
    booleans=("beta", "voice_caller_id_lookup"),
)
ACL = Resource(
    "IpAccessControlListInstance",
    lambda v, p: IpAccessControlListInstance(v, p, account_sid=ACCOUNT, sid=p.get("sid")),
    "ip_access_control_lists",
)
ADDRESS = Resource(
    "IpAddressInstance",
    lambda v, p: IpAddressInstance(
        v, p, account_sid=ACCOUNT, ip_access_control_list_sid=ACL_SID, sid=p.get("sid")
    ),
    "ip_addresses",
    integers=("cidr_prefix_length",),
)
DOMAIN = Resource(
    "DomainInstance",
    lambda v, p: DomainInstance(v, p, account_sid=ACCOUNT, sid=p.get("sid")),
    "domains",
    booleans=("sip_registration", "emergency_calling_enabled", "secure"),
)
CALL_MAPPING = Resource(
    "AuthCallsIpAccessControlListMappingInstance",
    lambda v, p: calls_mapping.AuthCallsIpAccessControlListMappingInstance(
        v, p, account_sid=ACCOUNT, domain_sid=DOMAIN_SID, sid=p.get("sid")
    ),
    "contents",
)


class _Captured(Exception):
    def __init__(self, method: str, uri: str, params: dict[str, Any], data: dict[str, Any]) -> None:
        super().__init__(method)
        self.method, self.uri, self.params, self.data = method, uri, params, data


class _Recorder(HttpClient):
    """An HttpClient that records the request the library makes and sends nothing."""

    def __init__(self) -> None:
        super().__init__(logger=None, is_async=False)

    def request(self, method: str, uri: str, params: Any = None, data: Any = None, **kwargs: Any) -> Any:
        raise _Captured(method, uri, dict(params or {}), dict(data or {}))


@dataclass(frozen=True)
class LibraryRequest:
    """The request twilio-python makes for an operation."""

    method: str
    path: str
    #: form (POST) or query (GET) parameters, as the library spells them
    params: dict[str, Any]


def _client() -> Client:
    return Client(ACCOUNT, "token", http_client=_Recorder())


def _numbers(client: Client, account_sid: str) -> Any:
    return client.api.v2010.accounts(account_sid).incoming_phone_numbers


def _sip(client: Client, account_sid: str) -> Any:
    return client.api.v2010.accounts(account_sid).sip


def _acls(c: Client, a: str) -> Any:
    return _sip(c, a).ip_access_control_lists


def _addresses(c: Client, a: str) -> Any:
    return _acls(c, a)(ACL_SID).ip_addresses


def _domains(c: Client, a: str) -> Any:
    return _sip(c, a).domains


def _call_mappings(c: Client, a: str) -> Any:
    return _domains(c, a)(DOMAIN_SID).auth.calls.ip_access_control_list_mappings


#: operation (the sandbox route's name) → the library method that runs it, given a client, an account
#: sid and the object's sid
_METHODS: dict[str, Callable[[Client, str, str], Any]] = {
    "ListIncomingPhoneNumbers": lambda c, a, s: _numbers(c, a).page,
    "FetchIncomingPhoneNumber": lambda c, a, s: _numbers(c, a)(s).fetch,
    "UpdateIncomingPhoneNumber": lambda c, a, s: _numbers(c, a)(s).update,
    "ListSipIpAccessControlList": lambda c, a, s: _acls(c, a).page,
    "CreateSipIpAccessControlList": lambda c, a, s: _acls(c, a).create,
    "FetchSipIpAccessControlList": lambda c, a, s: _acls(c, a)(s).fetch,
    "DeleteSipIpAccessControlList": lambda c, a, s: _acls(c, a)(s).delete,
    "ListSipIpAddress": lambda c, a, s: _addresses(c, a).page,
    "CreateSipIpAddress": lambda c, a, s: _addresses(c, a).create,
    "DeleteSipIpAddress": lambda c, a, s: _addresses(c, a)(s).delete,
    "ListSipDomain": lambda c, a, s: _domains(c, a).page,
    "CreateSipDomain": lambda c, a, s: _domains(c, a).create,
    "FetchSipDomain": lambda c, a, s: _domains(c, a)(s).fetch,
    "UpdateSipDomain": lambda c, a, s: _domains(c, a)(s).update,
    "DeleteSipDomain": lambda c, a, s: _domains(c, a)(s).delete,
    "ListSipAuthCallsIpAccessControlListMapping": lambda c, a, s: _call_mappings(c, a).page,
    "CreateSipAuthCallsIpAccessControlListMapping": lambda c, a, s: _call_mappings(c, a).create,
    "DeleteSipAuthCallsIpAccessControlListMapping": lambda c, a, s: _call_mappings(c, a)(s).delete,
}
OPERATIONS = tuple(_METHODS)
#: the sid each operation's own object has in the library's path (placeholders)
_SIDS = {"IpAccessControlList": ACL_SID, "IpAddress": ADDRESS_SID, "Domain": DOMAIN_SID}
#: operation → the resource its answer is (a list operation answers a Page of it; a delete answers nothing)
RESOURCES: dict[str, Resource] = {
    name: (
        NUMBER
        if "IncomingPhoneNumber" in name
        else CALL_MAPPING
        if "Mapping" in name
        else ADDRESS
        if "IpAddress" in name
        else ACL
        if "IpAccessControlList" in name
        else DOMAIN
    )
    for name in OPERATIONS
}


def _placeholder_sid(operation: str) -> str:
    if "IncomingPhoneNumber" in operation:
        return SID
    if "Mapping" in operation:
        return ACL_SID  # a calls mapping's sid is its list's
    return next(sid for key, sid in _SIDS.items() if operation.endswith(key) or f"Sip{key}" in operation)


def operation_request(
    operation: str, kwargs: dict[str, Any] | None = None, account_sid: str = ACCOUNT, sid: str = ""
) -> LibraryRequest:
    """The request twilio-python makes for `operation` called with `kwargs` (its own parameter names); a
    parameter the library requires and `kwargs` lacks is sent as `<name>`."""
    method = _METHODS[operation](_client(), account_sid, sid or _placeholder_sid(operation))
    try:
        method(**{**{n: f"<{n}>" for n in _required(method)}, **(kwargs or {})})
    except _Captured as captured:
        path = re.sub(r"^https://api\.twilio\.com", "", captured.uri)
        params = captured.data if captured.method == "POST" else captured.params
        return LibraryRequest(captured.method, path, params)
    raise AssertionError(f"twilio-python made no request for {operation}")


def _required(method: Any) -> set[str]:
    """The parameters of a library method that have no default."""
    parameters = inspect.signature(method).parameters.items()
    return {
        n for n, p in parameters if p.default is p.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    }


@functools.cache
def parameter_names(operation: str) -> dict[str, str]:
    """The library's wire parameter → its keyword argument, for `operation`."""
    target = _METHODS[operation](_client(), ACCOUNT, _placeholder_sid(operation))
    mapping: dict[str, str] = {}
    for name in inspect.signature(target).parameters:
        marker = f"<{name}>"
        sent = operation_request(operation, {name: marker}).params
        wire = [key for key, value in sent.items() if value == marker]
        if wire:
            mapping[wire[0]] = name
    return mapping


def request_problems(operation: str, params: dict[str, Any]) -> list[str]:
    """What is wrong with parameters Patchbay sent for `operation`, by twilio-python's reading."""
    known = parameter_names(operation)
    problems = [
        f"{key} is not a parameter of {operation} in twilio-python" for key in params if key not in known
    ]
    if problems:
        return problems
    target = _METHODS[operation](_client(), ACCOUNT, _placeholder_sid(operation))
    absent = sorted(_required(target) - {known[key] for key in params})
    if absent:
        return [f"{operation} needs {', '.join(absent)} (twilio-python requires it)"]
    rebuilt = operation_request(operation, {known[key]: value for key, value in params.items()}).params
    sent = {key: str(value) for key, value in params.items()}
    if {key: str(value) for key, value in rebuilt.items()} != sent:
        problems.append(f"twilio-python sends {rebuilt} for the same values, Patchbay sent {sent}")
    return problems


class _ReadRecorder(dict):
    """A payload that remembers which keys were read."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def _version() -> Version:
    return _client().api.v2010


def instance_problems(payload: Any, where: str = "", resource: Resource = NUMBER) -> list[str]:
    """What keeps an answer from parsing strictly into the library's instance of `resource`."""
    if not isinstance(payload, dict):
        return [f"{where}the answer is not an object"]
    recorded = _ReadRecorder(payload)
    instance = resource.build(_version(), recorded)
    problems = [
        f"{where}{key} is not a field of {resource.name}"
        for key in sorted(set(payload) - recorded.read - NOT_READ_BY_THE_LIBRARY)
    ]
    problems += [
        f"{where}{key} is missing ({resource.name} reads it)" for key in sorted(recorded.read - set(payload))
    ]
    problems += [
        f"{where}{name} {payload.get(name)!r} is not a date the library parses"
        for name in DATE_FIELDS
        if name in payload and not isinstance(getattr(instance, name), datetime)
    ]
    problems += [
        f"{where}{name} must be a boolean"
        for name in resource.booleans
        if name in payload and not isinstance(payload[name], bool)
    ]
    problems += [
        f"{where}{name} must be an integer"
        for name in resource.integers
        if name in payload and not isinstance(getattr(instance, name), int)
    ]
    return problems


def page_problems(payload: Any, resource: Resource = NUMBER) -> list[str]:
    """What keeps a list answer from being the library's Page of `resource` records."""
    if not isinstance(payload, dict):
        return ["the list answer is not an object"]
    key = resource.records_key
    extra = set(payload) - Page.META_KEYS
    if extra != {key}:
        return [f"the page's non-paging keys are {sorted(extra)}, twilio-python needs exactly [{key!r}]"]
    problems: list[str] = []
    for index, record in enumerate(payload[key]):
        problems += instance_problems(record, f"{key}[{index}].", resource)
    next_page = payload.get("next_page_uri")
    if next_page is not None and not str(next_page).startswith("/2010-04-01/"):
        problems.append(f"next_page_uri {next_page!r} is not a path the library can follow")
    return problems


def error_problems(status: int, text: str) -> list[str]:
    """What keeps an error answer from becoming the library's TwilioRestException with its code."""
    error = Version.exception("GET", "/", TwilioResponse(status, text), "Unable to fetch record")
    problems = []
    if not isinstance(getattr(error, "code", None), int) or error.code == status:
        problems.append(f"the error carries no Twilio error code the library reads ({text[:200]!r})")
    if "message" not in text:
        problems.append("the error has no message")
    return problems


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def twiml_problems(document: str | bytes) -> list[str]:
    """What the library's VoiceResponse builder cannot say of a TwiML document, or [] when it rebuilds it."""
    root = ElementTree.fromstring(document)
    if root.tag != "Response":
        return [f"the root is <{root.tag}>, not <Response>"]
    rebuilt = VoiceResponse()
    problems = _rebuild(root, rebuilt, "Response")
    text = document.decode() if isinstance(document, bytes) else document
    # Compared in canonical XML (attribute order, quoting and the declaration do not count).
    if not problems and _canonical(str(rebuilt)) != _canonical(text):
        problems.append(f"the builder writes {rebuilt!s} for {text.strip()}")
    return problems


def _canonical(document: str) -> str:
    return ElementTree.canonicalize(re.sub(r"^\s*<\?xml[^>]*\?>", "", document))


def _rebuild(element: ElementTree.Element, builder: Any, path: str) -> list[str]:
    problems: list[str] = []
    for child in element:
        here = f"{path}/{child.tag}"
        method = getattr(builder, _snake(child.tag), None)
        if method is None or not callable(method):
            problems.append(f"<{child.tag}> is not a child the builder allows in {path}")
            continue
        parameters = [
            name
            for name, p in inspect.signature(method).parameters.items()
            if p.kind is not p.VAR_KEYWORD and p.kind is not p.VAR_POSITIONAL
        ]
        kwargs: dict[str, Any] = {}
        for attribute, value in child.attrib.items():
            name = _snake(attribute)
            if name not in parameters[1:] and name not in parameters[:1]:
                problems.append(f"{here}: {attribute} is not an attribute the builder knows")
            kwargs[name] = value
        text = (child.text or "").strip()
        args = [text] if text and parameters else []
        if text and parameters and parameters[0] in kwargs:
            problems.append(f"{here}: text and a {parameters[0]} attribute")
        problems += _rebuild(child, method(*args, **kwargs), here)
    return problems
