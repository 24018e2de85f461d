"""Synthflow's v2 REST API: custom numbers, assistants' numbers, prepare_inbound and calls (PROVIDERS.md §1).

Every answer is `{"status", "response": {...}}`; errors are
`{"detail": {status, description, request_id, category}}` (§1.1). The API
host must match the workspace's region, and so must the SIP host a call is
sent to (§1.1, §1.6).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

from integrations.choices import SynthflowRegion
from integrations.vendors.errors import VendorError
from integrations.vendors.http import VendorHttpClient

REAL_BASE_URLS: dict[str, str] = {
    SynthflowRegion.GLOBAL: "https://api.synthflow.ai/v2",
    SynthflowRegion.US: "https://api.us.synthflow.ai/v2",
    SynthflowRegion.EU: "https://api.eu.synthflow.ai/v2",
}
#: the SIP host to dial per workspace region; use the name, never its IPs (§1.6)
SIP_HOSTS: dict[str, str] = {
    SynthflowRegion.GLOBAL: "sip.synthflow.ai",
    SynthflowRegion.US: "sip.us.synthflow.ai",
    SynthflowRegion.EU: "sip.eu.synthflow.ai",
}
#: UDP/TCP signalling port of the SIP edge; TLS is 32682 (§1.6)
SIP_PORT = 32681
SIP_TLS_PORT = 32682
#: signalling sources to allow on a carrier's ACL, per region ("IP Allow Lists" page, §1.9)
SIGNALLING_CIDRS: dict[str, tuple[str, ...]] = {
    SynthflowRegion.GLOBAL: ("34.138.86.8/32", "34.75.151.191/32", "34.23.45.239/32", "35.231.28.238/32"),
    SynthflowRegion.US: ("35.237.42.43/32", "34.139.4.161/32", "4.138.180.50/32"),
    SynthflowRegion.EU: ("34.185.212.150/32", "34.89.186.33/32", "35.242.217.198/32"),
}
#: prepare_inbound's `call_status` when Synthflow took the call (anything else means an outage, §1.5)
REGISTERED = "registered"
# Lists are paged with limit/offset (default 20, §1.3, §1.8); ask for large pages, stop at the total.
PAGE_SIZE = 100
# Request fields whose name may open a Synthflow error description ("workspace_id is required").
_FIELDS = frozenset(
    {
        "workspace_id",
        "phone_number",
        "friendly_name",
        "provider_name",
        "termination_uri",
        "sip_term_uri",
        "trunk_username",
        "trunk_pwd",
        "sip_outbound_proxy",
        "sip_auth_username",
        "uac_enabled",
        "uac_register_expires",
        "phone_numbers",
        "phone_number_slugs",
        "from_number",
        "to_number",
        "model_id",
        "custom_variables",
    }
)


def number_slug(phone_number: str) -> str:
    """The URL slug of a number: E.164 without the leading `+` (§1.3)."""
    return phone_number.strip().lstrip("+")


@dataclass(frozen=True)
class ImportedNumber:
    """The answer to importing a custom number: its key and the number."""

    key: str
    phone_number: str


@dataclass(frozen=True)
class NumberSummary:
    """One entry of a workspace's number list."""

    phone_number: str
    sid: str
    is_available: bool


@dataclass(frozen=True)
class Number:
    """A number of a workspace as `GET /v2/numbers/{slug}` shows it (trunk password never shown)."""

    slug: str
    phone_number: str
    friendly_name: str
    provider_name: str
    termination_uri: str
    sip_auth_username: str
    sip_outbound_proxy: str
    uac_enabled: bool
    uac_register_expires: int
    region: str
    is_available: bool
    workspace_id: str
    assistant_ids: tuple[str, ...]


@dataclass(frozen=True)
class Assistant:
    """An agent (assistant) and the numbers bound to it."""

    model_id: str
    name: str
    type: str
    phone_numbers: tuple[str, ...]


@dataclass(frozen=True)
class PreparedCall:
    """prepare_inbound's answer: `registered` with a call id, or `failed` during an outage (§1.5)."""

    call_status: str
    synthflow_call_id: str

    @property
    def registered(self) -> bool:
        """True when Synthflow is ready for the SIP leg carrying `X-EI: S.<id>;`."""
        return self.call_status == REGISTERED and bool(self.synthflow_call_id)


@dataclass(frozen=True)
class Call:
    """A call record of `/v2/calls` (§1.8)."""

    call_id: str
    model_id: str
    call_status: str
    phone_number_from: str
    phone_number_to: str
    duration: int
    end_call_reason: str
    start_time: str
    custom_variables: Mapping[str, Any] = field(default_factory=dict)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _number(data: Mapping[str, Any]) -> Number:
    return Number(
        slug=_text(data.get("slug")) or number_slug(_text(data.get("phone_number"))),
        phone_number=_text(data.get("phone_number")),
        friendly_name=_text(data.get("friendly_name")),
        provider_name=_text(data.get("provider_name")),
        termination_uri=_text(data.get("sip_term_uri")),
        sip_auth_username=_text(data.get("sip_auth_username")),
        sip_outbound_proxy=_text(data.get("sip_outbound_proxy")),
        uac_enabled=bool(data.get("uac_enabled")),
        uac_register_expires=int(data.get("uac_register_expires") or 300),
        region=_text(data.get("region")),
        is_available=bool(data.get("is_available")),
        workspace_id=_text(data.get("workspace_id")),
        assistant_ids=tuple(_text(a) for a in data.get("assistants") or ()),
    )


def _assistant(data: Mapping[str, Any]) -> Assistant:
    numbers = data.get("phone_numbers")
    if numbers is None:
        numbers = [data["phone_number"]] if data.get("phone_number") else []
    return Assistant(
        model_id=_text(data.get("model_id")),
        name=_text(data.get("name")),
        type=_text(data.get("type")),
        phone_numbers=tuple(_text(n) for n in numbers),
    )


def _call(data: Mapping[str, Any]) -> Call:
    variables = data.get("custom_variables")
    return Call(
        call_id=_text(data.get("call_id")),
        model_id=_text(data.get("model_id")),
        call_status=_text(data.get("call_status") or data.get("status")),
        phone_number_from=_text(data.get("phone_number_from")),
        phone_number_to=_text(data.get("phone_number_to")),
        duration=int(data.get("duration") or 0),
        end_call_reason=_text(data.get("end_call_reason")),
        start_time=_text(data.get("start_time")),
        custom_variables=dict(variables) if isinstance(variables, Mapping) else {},
    )


class SynthflowClient(VendorHttpClient):
    """One Synthflow API key, against the API host of its workspace's region."""

    vendor = "synthflow"
    #: items asked for per page of a list
    page_size = PAGE_SIZE

    def __init__(self, api_key: str, region: str = SynthflowRegion.GLOBAL) -> None:
        base = f"{settings.SYNTHFLOW_BASE_URL.rstrip('/')}/v2" if settings.SYNTHFLOW_BASE_URL else None
        super().__init__(base or REAL_BASE_URLS[region])
        self._api_key = api_key
        self.region = region

    @property
    def sip_host(self) -> str:
        """The SIP host calls to this workspace's numbers go to (§1.6)."""
        return SIP_HOSTS[self.region]

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"}

    def error_message(self, response: httpx.Response) -> tuple[str, str]:
        detail = _detail(response)
        if detail is None:
            return (response.text[:300] or response.reason_phrase, "")
        text = _text(detail.get("description")) or response.reason_phrase
        first = text.split(" ", 1)[0].rstrip(":,")
        return (text, first if first in _FIELDS else "")

    def to_error(self, response: httpx.Response) -> VendorError:
        error = super().to_error(response)
        detail = _detail(response)
        if not error.request_id and detail is not None:
            # Synthflow puts its request id in the error body, not in a header (§1.1).
            error.request_id = _text(detail.get("request_id"))
        return error

    # -- numbers (§1.2, §1.3) ------------------------------------------------------------------

    def import_custom_number(
        self,
        workspace_id: str,
        phone_number: str,
        *,
        friendly_name: str = "",
        termination_uri: str = "",
        trunk_username: str = "",
        trunk_password: str = "",
        provider_name: str = "custom",
    ) -> ImportedNumber:
        """`POST /v2/custom-numbers`: import a BYO-trunk number into the workspace."""
        body: dict[str, Any] = {
            "workspace_id": workspace_id,
            "phone_number": phone_number,
            "provider_name": provider_name,
        }
        optional = {
            "friendly_name": friendly_name,
            # The current spec 400s a custom number without termination_uri (§1.2).
            "termination_uri": termination_uri,
            "trunk_username": trunk_username,
            "trunk_pwd": trunk_password,
        }
        body.update({k: v for k, v in optional.items() if v})
        answer = self.request("POST", "/custom-numbers", json=body).json()["response"]
        return ImportedNumber(key=_text(answer.get("key")), phone_number=_text(answer.get("phone_number")))

    def list_numbers(self, workspace_id: str, *, is_available: bool | None = None) -> list[NumberSummary]:
        """`GET /v2/numbers?workspace=`: every number of the workspace, all pages."""
        params: dict[str, Any] = {"workspace": workspace_id, "limit": self.page_size}
        if is_available is not None:
            params["is_available"] = "true" if is_available else "false"
        found: list[NumberSummary] = []
        for page in self._pages("/numbers", params, "phone_numbers"):
            found.extend(
                NumberSummary(
                    phone_number=_text(n.get("number")),
                    sid=_text(n.get("sid")),
                    is_available=bool(n.get("is_available")),
                )
                for n in page
            )
        return found

    def get_number(self, workspace_id: str, phone_number: str) -> Number:
        """`GET /v2/numbers/{slug}?workspace=`; `NotFound` when it is not imported."""
        path = f"/numbers/{number_slug(phone_number)}"
        return _number(self.request("GET", path, params={"workspace": workspace_id}).json()["response"])

    def update_number(self, workspace_id: str, phone_number: str, changes: Mapping[str, Any]) -> None:
        """`PATCH /v2/numbers/{slug}` with Synthflow's field names (`termination_uri`, `trunk_pwd`, ...)."""
        path = f"/numbers/{number_slug(phone_number)}"
        self.request("PATCH", path, params={"workspace": workspace_id}, json=dict(changes))

    def delete_number(self, workspace_id: str, phone_number: str) -> None:
        """`DELETE /v2/numbers/{slug}`: detaches it from every agent first (§1.3)."""
        path = f"/numbers/{number_slug(phone_number)}"
        self.request("DELETE", path, params={"workspace": workspace_id})

    # -- assistants (§1.4) ---------------------------------------------------------------------

    def get_assistant(self, model_id: str) -> Assistant:
        """`GET /v2/assistants/{model_id}` (the single GET still answers a one-element list)."""
        answer = self.request("GET", f"/assistants/{model_id}").json()["response"]
        assistants = answer.get("assistants") or []
        if not assistants:
            return _assistant({"model_id": model_id})
        return _assistant(assistants[0])

    def attach_numbers(self, model_id: str, phone_numbers: list[str]) -> None:
        """`PUT /v2/assistants/{model_id}/phone_numbers`: bind numbers (E.164) to the agent."""
        self.request("PUT", f"/assistants/{model_id}/phone_numbers", json={"phone_numbers": phone_numbers})

    def detach_number(self, model_id: str, phone_number: str) -> None:
        """`DELETE /v2/assistants/{model_id}/phone_numbers/{slug}`."""
        self.request("DELETE", f"/assistants/{model_id}/phone_numbers/{number_slug(phone_number)}")

    # -- calls (§1.5, §1.8) --------------------------------------------------------------------

    def prepare_inbound(
        self,
        *,
        from_number: str,
        to_number: str,
        model_id: str,
        workspace_id: str,
        custom_variables: Mapping[str, str],
        timeout: float,
    ) -> PreparedCall:
        """`POST /v2/prepare_inbound`, once, within `timeout` seconds: a caller is waiting on the line."""
        body = {
            "from_number": from_number,
            "to_number": to_number,
            "model_id": model_id,
            "workspace_id": workspace_id,
            "custom_variables": dict(custom_variables),
        }
        answer = self.request("POST", "/prepare_inbound", json=body, attempts=1, timeout=timeout).json()
        return PreparedCall(
            call_status=_text(answer.get("call_status")),
            synthflow_call_id=_text(answer.get("synthflow_call_id")),
        )

    def get_call(self, call_id: str) -> Call:
        """`GET /v2/calls/{call_id}`; `NotFound` for an unknown id."""
        calls = self.request("GET", f"/calls/{call_id}").json()["response"].get("calls") or []
        return _call(calls[0] if calls else {"call_id": call_id})

    def list_calls(self, model_id: str, *, call_status: str = "", limit: int = PAGE_SIZE) -> list[Call]:
        """`GET /v2/calls?model_id=`: the agent's most recent calls, at most `limit`."""
        params: dict[str, Any] = {"model_id": model_id, "limit": min(limit, self.page_size)}
        if call_status:
            params["call_status"] = call_status
        found: list[Call] = []
        for page in self._pages("/calls", params, "calls"):
            found.extend(_call(c) for c in page)
            if len(found) >= limit:
                break
        return found[:limit]

    def _pages(self, path: str, params: dict[str, Any], key: str) -> Iterator[list[dict[str, Any]]]:
        """The pages of a limit/offset list, read lazily until `pagination.total_records`."""
        offset = 0
        while True:
            answer = self.request("GET", path, params={**params, "offset": offset}).json()["response"]
            items = answer.get(key) or []
            yield items
            offset += len(items)
            total = int((answer.get("pagination") or {}).get("total_records") or 0)
            if not items or offset >= total:
                return


def _detail(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, dict) else None
