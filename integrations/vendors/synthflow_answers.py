"""The typed answers of Synthflow's v2 API and how each is read (integrations/vendors/synthflow.py).

Field names are the reference's (sandbox/synthflow/reference.json, transcribed from
https://docs.synthflow.ai/openapi.yml); where Synthflow's pages disagree, both readings
are accepted and the comment says which is which.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: prepare_inbound's `call_status` when Synthflow took the call (anything else means an outage, §1.5)
REGISTERED = "registered"


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
    """An agent (assistant) and its numbers, as `GET /v2/assistants/{model_id}` shows them.

    `phone_number` is "the phone number attached to the agent": for an inbound agent, the
    number it answers. `outbound_numbers` are its `attached_phone_numbers`, "available for
    outbound calls from this agent". There is no `phone_numbers` field.
    """

    model_id: str
    name: str
    type: str
    phone_number: str
    outbound_numbers: tuple[str, ...] = ()


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
    """A call record of `/v2/calls` (§1.8); `custom_variables` are the call's prompt variables."""

    call_id: str
    model_id: str
    call_status: str
    phone_number_from: str
    phone_number_to: str
    duration: int
    end_call_reason: str
    start_time: str
    custom_variables: Mapping[str, Any] = field(default_factory=dict)


def text_of(value: Any) -> str:
    """A string field of an answer ("" for null or absent)."""
    return "" if value is None else str(value)


def read_number(data: Mapping[str, Any]) -> Number:
    return Number(
        slug=text_of(data.get("slug")) or number_slug(text_of(data.get("phone_number"))),
        phone_number=text_of(data.get("phone_number")),
        friendly_name=text_of(data.get("friendly_name")),
        provider_name=text_of(data.get("provider_name")),
        termination_uri=text_of(data.get("sip_term_uri")),
        sip_auth_username=text_of(data.get("sip_auth_username")),
        sip_outbound_proxy=text_of(data.get("sip_outbound_proxy")),
        uac_enabled=bool(data.get("uac_enabled")),
        uac_register_expires=int(data.get("uac_register_expires") or 300),
        region=text_of(data.get("region")),
        is_available=bool(data.get("is_available")),
        workspace_id=text_of(data.get("workspace_id")),
        assistant_ids=tuple(text_of(a) for a in data.get("assistants") or ()),
    )


def read_assistant(data: Mapping[str, Any]) -> Assistant:
    attached = data.get("attached_phone_numbers") or ()
    return Assistant(
        model_id=text_of(data.get("model_id")),
        name=text_of(data.get("name")),
        type=text_of(data.get("type")),
        phone_number=text_of(data.get("phone_number")),
        outbound_numbers=tuple(text_of(n.get("number")) for n in attached if isinstance(n, Mapping)),
    )


def read_call(data: Mapping[str, Any]) -> Call:
    # A fetched call shows its variables as `prompt_variables`; the older prepare_inbound page's
    # call record calls them `custom_variables`. Either reading is accepted.
    variables = data.get("prompt_variables")
    if not isinstance(variables, Mapping):
        variables = data.get("custom_variables")
    return Call(
        call_id=text_of(data.get("call_id")),
        model_id=text_of(data.get("model_id")),
        call_status=text_of(data.get("call_status") or data.get("status")),
        phone_number_from=text_of(data.get("phone_number_from")),
        phone_number_to=text_of(data.get("phone_number_to")),
        duration=int(data.get("duration") or 0),
        end_call_reason=text_of(data.get("end_call_reason")),
        start_time=text_of(data.get("start_time")),
        custom_variables=dict(variables) if isinstance(variables, Mapping) else {},
    )
