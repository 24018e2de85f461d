"""Synthflow's v2 REST API: custom numbers, assistants' numbers, prepare_inbound and calls (PROVIDERS.md §1).

Synthflow publishes an OpenAPI (https://docs.synthflow.ai/openapi.yml), transcribed
with a source per rule in sandbox/synthflow/reference.json. Most answers are
`{"status", "response": {...}}`, but `GET /v2/numbers/{slug}` answers the number
itself, flat, and prepare_inbound its own flat form. Errors are
`{"detail": {status, description, request_id, category}}`. Several operations
document 400 as their only error, so "not found" can be a 400. The API host must
match the workspace's region, and so must the SIP host a call is sent to (§1.1, §1.6).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx
from django.conf import settings

from integrations.choices import SynthflowRegion
from integrations.vendors.errors import InvalidSpec, NotFound, VendorError
from integrations.vendors.http import VendorHttpClient
from integrations.vendors.synthflow_answers import (
    Assistant,
    Call,
    ImportedNumber,
    Number,
    NumberSummary,
    PreparedCall,
    number_slug,
    read_assistant,
    read_call,
    read_number,
    text_of,
)

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
        "from_number",
        "to_number",
        "model_id",
        "custom_variables",
    }
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
        text = text_of(detail.get("description")) or response.reason_phrase
        first = text.split(" ", 1)[0].rstrip(":,")
        return (text, first if first in _FIELDS else "")

    def to_error(self, response: httpx.Response) -> VendorError:
        error = super().to_error(response)
        detail = _detail(response)
        if not error.request_id and detail is not None:
            # Synthflow puts its request id in the error body, not in a header (§1.1).
            error.request_id = text_of(detail.get("request_id"))
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
        return ImportedNumber(
            key=text_of(answer.get("key")), phone_number=text_of(answer.get("phone_number"))
        )

    def list_numbers(self, workspace_id: str, *, is_available: bool | None = None) -> list[NumberSummary]:
        """`GET /v2/numbers?workspace=`: every number of the workspace, all pages."""
        params: dict[str, Any] = {"workspace": workspace_id, "limit": self.page_size}
        if is_available is not None:
            params["is_available"] = "true" if is_available else "false"
        found: list[NumberSummary] = []
        for page in self._pages("/numbers", params, "phone_numbers"):
            found.extend(
                NumberSummary(
                    phone_number=text_of(n.get("number")),
                    sid=text_of(n.get("sid")),
                    is_available=bool(n.get("is_available")),
                )
                for n in page
            )
        return found

    def get_number(self, workspace_id: str, phone_number: str) -> Number:
        """`GET /v2/numbers/{slug}?workspace=`; `NotFound` when it is not imported.

        The answer is the number itself, flat (an envelope is unwrapped too, should one come).
        400 is the only error documented for this read: a number that is not imported and a
        bad request both get it, so a 400 is "not found" only when the workspace's number
        list confirms the number is absent (a wrong workspace stays an `InvalidSpec`).
        """
        path = f"/numbers/{number_slug(phone_number)}"
        try:
            answer = self.request("GET", path, params={"workspace": workspace_id}).json()
        except InvalidSpec as error:
            raise self._absent_or(error, workspace_id, phone_number) from None
        if isinstance(answer.get("response"), Mapping) and "phone_number" not in answer:
            answer = answer["response"]
        return read_number(answer)

    def update_number(self, workspace_id: str, phone_number: str, changes: Mapping[str, Any]) -> None:
        """`PATCH /v2/numbers/{slug}` with Synthflow's field names (`termination_uri`, `trunk_pwd`, ...).

        The request names no workspace (the reference documents no such parameter for PATCH);
        `workspace_id` tells a number that is gone (`NotFound`) from a refused change.
        """
        try:
            self.request("PATCH", f"/numbers/{number_slug(phone_number)}", json=dict(changes))
        except InvalidSpec as error:
            raise self._absent_or(error, workspace_id, phone_number) from None

    def delete_number(self, workspace_id: str, phone_number: str) -> None:
        """`DELETE /v2/numbers/{slug}`: "detach the phone number from any agents" too (§1.3).

        `NotFound` when it is already gone (its 400, confirmed by the workspace's number list).
        """
        try:
            self.request("DELETE", f"/numbers/{number_slug(phone_number)}")
        except InvalidSpec as error:
            raise self._absent_or(error, workspace_id, phone_number) from None

    def _absent_or(self, error: InvalidSpec, workspace_id: str, phone_number: str) -> VendorError:
        """`NotFound` when the workspace's number list lacks the number, else the 400 itself."""
        if any(n.phone_number == phone_number for n in self.list_numbers(workspace_id)):
            return error
        return NotFound(
            f"{error.args[0]} ({phone_number} is not in the workspace's number list)",
            vendor=self.vendor,
            request_id=error.request_id,
            field="phone_number",
        )

    # -- assistants (§1.4) ---------------------------------------------------------------------

    def get_assistant(self, model_id: str) -> Assistant:
        """`GET /v2/assistants/{model_id}` (a one-element list); `NotFound` for an unknown agent.

        The request carries nothing but the id, and 400 is the only error documented for it,
        so a 400 (or a 404) means there is no such agent.
        """
        try:
            answer = self.request("GET", f"/assistants/{model_id}").json()["response"]
        except InvalidSpec as error:
            raise NotFound(str(error.args[0]), vendor=self.vendor, request_id=error.request_id) from None
        assistants = answer.get("assistants") or []
        if not assistants:
            raise NotFound(f"no assistant {model_id} in the answer", vendor=self.vendor)
        return read_assistant(assistants[0])

    def set_assistant_number(self, model_id: str, phone_number: str) -> None:
        """`PUT /v2/assistants/{model_id}` with `phone_number`: the agent's own number.

        How an inbound agent gets the number it answers: the reference's update-assistant sets an
        agent's "name, phone number, or other parameters" (only those sent), while
        `PUT .../phone_numbers` attaches numbers to an *outbound* agent.
        """
        self.request("PUT", f"/assistants/{model_id}", json={"phone_number": phone_number})

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
            call_status=text_of(answer.get("call_status")),
            synthflow_call_id=text_of(answer.get("synthflow_call_id")),
        )

    def get_call(self, call_id: str) -> Call:
        """`GET /v2/calls/{call_id}`; `NotFound` for an unknown id."""
        calls = self.request("GET", f"/calls/{call_id}").json()["response"].get("calls") or []
        return read_call(calls[0] if calls else {"call_id": call_id})

    def list_calls(
        self, model_id: str, *, call_status: str = "", since_ms: int | None = None, limit: int = PAGE_SIZE
    ) -> list[Call]:
        """`GET /v2/calls?model_id=`: the agent's calls (started at `since_ms` or later), at most `limit`."""
        params: dict[str, Any] = {"model_id": model_id, "limit": min(limit, self.page_size)}
        if call_status:
            params["call_status"] = call_status
        if since_ms is not None:
            params["from_date"] = since_ms
        found: list[Call] = []
        for page in self._pages("/calls", params, "calls"):
            found.extend(read_call(c) for c in page)
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
