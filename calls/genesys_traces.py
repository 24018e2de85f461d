"""Fetch a genesys_synthflow integration's calls from Genesys Cloud's SIP trace search, as calls.

`GET /api/v2/telephony/siptraces` (SDK getTelephonySiptraces) answers one
HomerRecord per SIP message Genesys's edge sent or received on the org's trunks
(`callid`, `date`, `method`, `msg` with the message text, `conversationId`,
...). The search needs `dateStart`/`dateEnd` and a call id, conversation id or
number; Patchbay searches by the number Genesys transfers to (`toUser`, the
Synthflow number of the integration), so it finds calls it does not know of
yet. The trace has a point of view, Genesys's edge: it is one column of the
ladder and each message is inbound or outbound relative to it. Messages are
parsed and grouped by Call-ID exactly as the Voice Connector's log is
(calls/grouping.py), and stored idempotently (calls/actions.py).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from calls.choices import CallSource
from calls.fetch import FetchReport
from calls.grouping import ObservedMessage, Perspective
from calls.sip_message import SipParseError, parse_sip_message
from calls.storing import store_integration_calls
from integrations.vendors.clients import clients_for

if TYPE_CHECKING:
    from integrations.models import Integration
    from integrations.vendors.genesys import GenesysClient

logger = logging.getLogger(__name__)

#: the ladder column of the host that wrote the trace
GENESYS_EDGE = "Genesys Cloud edge"
SEARCH_NAME = "GET /api/v2/telephony/siptraces"


def _instant(record: dict[str, Any]) -> datetime | None:
    """When Genesys saw the message: `milliTs` (ms since the epoch) if given, else `date`."""
    millis = str(record.get("milliTs") or "")
    if millis.isdigit():
        return datetime.fromtimestamp(int(millis) / 1000, tz=UTC)
    text = str(record.get("date") or "")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def observations(records: list[dict[str, Any]]) -> tuple[list[ObservedMessage], dict[str, set[str]], int]:
    """Parsed messages, the conversation ids seen per SIP Call-ID, and how many records were unreadable."""
    observed: list[ObservedMessage] = []
    conversations: dict[str, set[str]] = {}
    skipped = 0
    for record in records:
        text, at = str(record.get("msg") or ""), _instant(record)
        if not text or at is None:
            skipped += 1
            continue
        try:
            message = parse_sip_message(text, lenient_body=True)
        except SipParseError:
            skipped += 1
            continue
        # The same message read by two searches is one row: its id when Genesys gives one, else its time.
        key = str(record.get("id") or record.get("milliTs") or record.get("date"))
        fingerprint = hashlib.sha256(f"genesys\x1f{key}\x1f{text}".encode()).hexdigest()
        conversation = str(record.get("conversationId") or "")
        observed.append(ObservedMessage(at=at, message=message, fingerprint=fingerprint, leg=conversation))
        if conversation:
            conversations.setdefault(message.call_id, set()).add(conversation)
    observed.sort(key=lambda o: o.at)
    return observed, conversations, skipped


def genesys_client(integration: Integration) -> GenesysClient:
    """The integration's Genesys OAuth client (the account's secret stays in the client)."""
    return clients_for({"genesys": integration.account("genesys")}).genesys


def fetch_genesys_calls(
    integration: Integration,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    client: GenesysClient | None = None,
) -> FetchReport:
    """Search the org's SIP traces for calls to the integration's number in [start, end] and store them."""
    end = end or timezone.now()
    start = start or end - timedelta(minutes=15)
    report = FetchReport(log_group=SEARCH_NAME)
    number = str((integration.config or {}).get("phone_number") or "")
    if not number:
        report.note = "The integration has no phone number to search Genesys's SIP traces for."
        return report
    if integration.account("genesys") is None:
        report.note = "The integration has no Genesys account."
        return report
    client = client or genesys_client(integration)
    records = client.search_sip_traces(start, end, toUser=number)
    observed, conversations, report.skipped = observations(records)
    report.events = len(records)
    if not records:
        report.note = f"Genesys's SIP trace search found no message to {number} in the window."
    report.calls = store_integration_calls(
        integration,
        CallSource.GENESYS,
        observed,
        view=Perspective(name=GENESYS_EDGE),
        legs=conversations,
    )
    return report
