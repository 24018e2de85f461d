"""Fetch a connector's SIP messages from CloudWatch Logs and the SMA Lambda's decisions, as calls.

Chime writes each SIP message the Voice Connector sends or receives as one JSON
event `{voice_connector_id, aws_region, event_timestamp, call_id, sip_message}`
into `/aws/ChimeVoiceConnectorSipMessages/<connector id>` (AWS.md §5.1). The
SMA handler prints one JSON line per answer, which Lambda writes to
`/aws/lambda/<function name>`; calls/sma_log.py joins those lines to the calls
as pseudo-hops. Every AWS call goes through the customer's assumed role
(`AwsSession`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from calls.choices import CallSource
from calls.grouping import ObservedMessage, Perspective
from calls.models import SipCall
from calls.sip_message import SipParseError, parse_sip_message
from calls.sma_log import JoinedDecisions, call_facts, join_decisions
from calls.storing import drop_decision_only_calls, store_decision_only_calls, store_integration_calls
from integrations.models import ResourceNode
from integrations.vendors.aws.logs import CloudWatchLogs, LogEvent, lambda_log_group, sip_log_group
from integrations.vendors.clients import aws_session_for
from integrations.vendors.errors import NotFound

if TYPE_CHECKING:
    from integrations.models import Integration
    from integrations.vendors.aws import AwsSession


# Stop after this many pages in one fetch: a busy connector is fetched again on the next tick.
MAX_PAGES = 20


@dataclass
class FetchReport:
    """What one fetch did: calls touched, events read, and why nothing came when nothing did."""

    log_group: str
    calls: list[SipCall] = field(default_factory=list)
    events: int = 0
    skipped: int = 0
    note: str = ""


@dataclass(frozen=True)
class ConnectorRef:
    """The Voice Connector of an integration as the engine recorded it."""

    connector_id: str
    host: str
    ips: frozenset[str]
    sma_function: str


def connector_of(integration: Integration) -> ConnectorRef | None:
    """The integration's connector from its ResourceNode outputs; None before it exists."""
    outputs = {
        row.node: row.outputs or {}
        for row in ResourceNode.objects.filter(
            integration=integration, node__in=["voice_connector", "connector_ips", "sma_lambda"]
        )
    }
    connector = outputs.get("voice_connector", {})
    if not connector.get("id"):
        return None
    return ConnectorRef(
        connector_id=str(connector["id"]),
        host=str(connector.get("host") or f"{connector['id']}.voiceconnector.chime.aws"),
        ips=frozenset(str(ip) for ip in outputs.get("connector_ips", {}).get("ips") or []),
        sma_function=str(outputs.get("sma_lambda", {}).get("name") or ""),
    )


def missing_log_group_note(integration: Integration, group: str) -> str:
    """Why the connector's SIP log group is missing, from what the logging node last observed.

    AWS creates the group with the first SIP message it logs (AWS.md §1.2): right after apply,
    before any call, a missing group means "no call yet", not "logging is off".
    """
    logging_node = ResourceNode.objects.filter(integration=integration, node="logging").first()
    enabled = (logging_node.outputs or {}).get("enable_sip_logs") if logging_node else None
    if enabled is True:
        return f"No call has been logged yet: SIP logging is on, and AWS creates {group} with the first call."
    if enabled is False:
        return f"SIP logging is off, so {group} does not exist: apply the integration to turn it back on."
    return f"{group} does not exist yet: SIP logging is off or no call has been logged."


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _events(session: AwsSession, group: str, start: datetime, end: datetime) -> list[LogEvent]:
    """Every event of a log group in [start, end] (up to MAX_PAGES pages: the rest comes next time)."""
    return CloudWatchLogs(session).events(group, _millis(start), _millis(end), max_pages=MAX_PAGES)


def _sip_observations(events: list[LogEvent], chime_call_id: str | None) -> tuple[list[ObservedMessage], int]:
    observed: list[ObservedMessage] = []
    skipped = 0
    for event in events:
        try:
            record = json.loads(event.message)
            sip_text = str(record["sip_message"])
            leg = str(record.get("call_id") or "")
            stamp = record.get("event_timestamp") or event.timestamp
            if stamp is None:
                raise ValueError("no timestamp")
            millis = int(stamp)
        except (ValueError, KeyError, TypeError):
            skipped += 1
            continue
        # moto ignores JSON filter patterns (AWS.md §5.1), so the call id filter is applied here.
        if chime_call_id and leg != chime_call_id:
            continue
        try:
            message = parse_sip_message(sip_text, lenient_body=True)
        except SipParseError:
            skipped += 1
            continue
        fingerprint = hashlib.sha256(f"{leg}\x1f{millis}\x1f{sip_text}".encode()).hexdigest()
        observed.append(
            ObservedMessage(
                at=datetime.fromtimestamp(millis / 1000, UTC),
                message=message,
                fingerprint=fingerprint,
                leg=leg,
            )
        )
    return observed, skipped


def fetch_calls(
    integration: Integration,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    chime_call_id: str | None = None,
    session: AwsSession | None = None,
) -> FetchReport:
    """Read the connector's SIP log (and the SMA Lambda's log) in [start, end] into stored calls."""
    end = end or timezone.now()
    start = start or end - timedelta(minutes=15)
    connector = connector_of(integration)
    if connector is None:
        return FetchReport(log_group="", note="The integration has no Voice Connector yet.")
    group = sip_log_group(connector.connector_id)
    report = FetchReport(log_group=group)
    if session is None:
        account = integration.aws_account
        if account is None:
            report.note = "The integration has no AWS account."
            return report
        session = aws_session_for(account)
    try:
        events = _events(session, group, start, end)
    except NotFound:
        # The SMA Lambda's log may still show calls that never reached the connector.
        report.note = missing_log_group_note(integration, group)
        events = []
    observed, report.skipped = _sip_observations(events, chime_call_id)
    report.events = len(events)
    facts = call_facts(observed)
    decisions = JoinedDecisions()
    if connector.sma_function:
        lambda_group = lambda_log_group(connector.sma_function)
        try:
            # The Lambda decides before the connector's INVITE: look a little earlier.
            lambda_events = _events(session, lambda_group, start - timedelta(seconds=30), end)
        except NotFound:
            lambda_events = []
        decisions = join_decisions(lambda_events, facts, connector.host)
    legs_by_call = {call_id: set(fact.legs) for call_id, fact in facts.items()}
    # One call, all its legs: the SMA transaction and its participants' call ids (the PSTN leg) too.
    for call_id, hops in decisions.by_call.items():
        for hop in hops:
            ids = {str(hop.details.get("transaction_id") or "")}
            ids |= {str(leg.get("call_id") or "") for leg in hop.details.get("legs") or []}
            legs_by_call.setdefault(call_id, set()).update(ids - {""})
    view = Perspective(name=connector.host, addresses=connector.ips | {connector.host})
    report.calls = store_integration_calls(
        integration,
        CallSource.CLOUDWATCH,
        observed,
        view=view,
        pseudo_hops=decisions.by_call,
        legs=legs_by_call,
    )
    joined = {str(h.details.get("transaction_id")) for hops in decisions.by_call.values() for h in hops}
    drop_decision_only_calls(integration, joined - {"None", ""})
    if not chime_call_id:
        report.calls += store_decision_only_calls(integration, decisions.failed_alone, view)
    return report
