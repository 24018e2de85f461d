"""Calls stored as the fetch task stores them, for the API, search, dashboard and browser tests (moved out
of test_api_calls.py, test_ladder.py and test_call_search.py, which those tests imported)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from calls.choices import CallSource
from calls.grouping import ObservedMessage, Perspective
from calls.models import SipCall
from calls.sip_message import parse_sip_message
from calls.storing import store_integration_calls
from calls.tests.sip_samples import CONNECTOR_HOST, answered_call, invite, response
from integrations.models import Integration
from integrations.tests.factories import IntegrationFactory

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def store(
    integration: Integration, texts: list[str], offset_s: int = 0, *, start: datetime | None = None
) -> SipCall:
    """Store `texts` as one read of the log would, 50 ms apart from `start` (START) plus `offset_s`."""
    start = (start or START) + timedelta(seconds=offset_s)
    observed = [
        ObservedMessage(
            at=start + timedelta(milliseconds=50 * i),
            message=parse_sip_message(t),
            fingerprint=hashlib.sha256(f"{i}{t}".encode()).hexdigest(),
        )
        for i, t in enumerate(texts)
    ]
    (call,) = store_integration_calls(
        integration, CallSource.CLOUDWATCH, observed, view=Perspective(name=CONNECTOR_HOST)
    )
    return call


def stored_call(texts: list[str]) -> SipCall:
    integration = IntegrationFactory(kind="connect_vapi")
    observed = [
        ObservedMessage(
            at=START + timedelta(milliseconds=35 * i), message=parse_sip_message(t), fingerprint=str(i)
        )
        for i, t in enumerate(texts)
    ]
    view = Perspective(name=CONNECTOR_HOST)
    (call,) = store_integration_calls(integration, CallSource.CLOUDWATCH, observed, view=view)
    return call


#: the caller and called number of sip_samples' messages (`with_numbers` replaces them)
CALLER = "+12065550100"
CALLEE = "+15551230000"


def with_numbers(texts: list[str], caller: str, callee: str) -> list[str]:
    """The sample messages with another caller and called number."""
    return [t.replace(CALLER, caller).replace(CALLEE, callee) for t in texts]


def three_calls(integration: Integration) -> tuple[SipCall, SipCall, SipCall]:
    """10:00 answered (+15105550101 → +18005550199), 10:05 busy (+15105550177 → ...), 10:10 no answer."""
    answered = store(integration, with_numbers(answered_call("a@x"), "+15105550101", "+18005550199"))
    busy = store(
        integration,
        with_numbers([invite("b@x"), response(486, "Busy Here", "b@x")], "+15105550177", "+18005550199"),
        offset_s=300,
    )
    silent = store(integration, with_numbers([invite("c@x")], "+442071838750", "+18005550123"), offset_s=600)
    return answered, busy, silent
