"""The SMA handler's decisions (its JSON log lines) joined to the connector's calls as pseudo-hops.

The handler prints one line per answer: `{"event": "sma_handler.answer", "invocation",
"transaction_id", "legs": [{"call_id", "leg", "status"}], "actions", "sip_headers"}`
(integrations/lambdas/sma_handler.py). A line joins the SIP call whose Chime
`call_id`s (from the connector's log events) include its transaction id or one
of its legs' call ids. How Chime's `call_id` relates to the SMA's ids is
UNCONFIRMED (AWS.md §5.1), so a NEW_INBOUND_CALL decision that names no known
id falls back to the first INVITE that follows it within `DECISION_WINDOW` (or precedes it by at
most `CLOCK_SKEW`: the two logs are stamped by different hosts)
and carries the `x-` headers the Lambda chose; the transaction's later lines
(HANGUP, ACTION_FAILED ...) then follow it to the same call. A transaction
whose decisions failed and that reached no SIP call is kept as a call of its
own (Call-ID `sma-transaction:<id>`), so a Lambda that answered with no action
still shows up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from calls.grouping import ObservedMessage, PseudoHop

if TYPE_CHECKING:
    from integrations.vendors.aws.logs import LogEvent

SMA_LOG_EVENT = "sma_handler.answer"
LAMBDA_HOST = "sma-lambda"
#: the column of the caller's leg (LEG-A) reaching the SIP media application
PSTN_HOST = "PSTN"
# Chime bridges within a few seconds of the Lambda's answer; CallTimeoutSeconds bounds it (default 30).
DECISION_WINDOW = timedelta(seconds=30)
# The Lambda's log and the connector's log are stamped by different hosts (and a log line when the
# runtime captures it): a decision may carry a time slightly after the INVITE it caused.
CLOCK_SKEW = timedelta(seconds=2)


@dataclass
class CallFacts:
    """What the join needs to know of one SIP call."""

    legs: set[str] = field(default_factory=set)
    invite_at: datetime | None = None
    x_headers: dict[str, str] = field(default_factory=dict)


def call_facts(observed: Iterable[ObservedMessage]) -> dict[str, CallFacts]:
    """Per SIP Call-ID: the Chime call ids seen, and the first INVITE's time and x- headers."""
    facts: dict[str, CallFacts] = {}
    for item in sorted(observed, key=lambda o: o.at):
        fact = facts.setdefault(item.message.call_id, CallFacts())
        if item.leg:
            fact.legs.add(item.leg)
        if fact.invite_at is None and item.message.is_request and item.message.method == "INVITE":
            fact.invite_at = item.at
            fact.x_headers = {k.lower(): v for k, v in item.message.x_headers.items()}
    return facts


def decision_line(message: str) -> dict[str, Any] | None:
    """The handler's JSON line from a Lambda log event (which may carry a logging prefix)."""
    start = message.find("{")
    if start < 0:
        return None
    try:
        line = json.loads(message[start:])
    except ValueError:
        return None
    return line if isinstance(line, dict) and line.get("event") == SMA_LOG_EVENT else None


def pseudo_hop(line: dict[str, Any], at: datetime, connector: str) -> PseudoHop:
    """The decision drawn as an arrow from `sma-lambda` to the connector."""
    actions = [str(a) for a in line.get("actions") or []]
    invocation = str(line.get("invocation") or "")
    error = line.get("error_type")
    # An inbound call answered with no action, or a failed action, leaves the caller hanging.
    failed = bool(error) or (invocation == "NEW_INBOUND_CALL" and not actions)
    label = f"{invocation or 'invocation'} → {', '.join(actions) or 'no action'}"
    if error:
        label += f" ({error})"
    raw = json.dumps(line, indent=2, sort_keys=True)
    return PseudoHop(
        at=at,
        src=LAMBDA_HOST,
        dst=connector,
        label=label,
        raw=raw,
        fingerprint=hashlib.sha256(f"lambda\x1f{at.isoformat()}\x1f{raw}".encode()).hexdigest(),
        details={
            "transaction_id": line.get("transaction_id"),
            "legs": line.get("legs") or [],
            "actions": actions,
            "x_headers": [[str(k), str(v)] for k, v in dict(line.get("sip_headers") or {}).items()],
            "error_type": error,
            "error_message": line.get("error_message"),
        },
        is_failure=failed,
    )


def hops_of(line: dict[str, Any], at: datetime, connector: str) -> list[PseudoHop]:
    """The arrows of one decision: for a NEW_INBOUND_CALL, first the PSTN leg (LEG-A) reaching the
    SIP media application, which is what invoked the Lambda; then the decision itself."""
    hops = [pseudo_hop(line, at, connector)]
    leg_a = next((leg for leg in line.get("legs") or [] if leg.get("leg") == "LEG-A"), None)
    if line.get("invocation") == "NEW_INBOUND_CALL" and leg_a is not None:
        raw = json.dumps(leg_a, indent=2, sort_keys=True)
        arrival = PseudoHop(
            at=at,
            src=PSTN_HOST,
            dst=LAMBDA_HOST,
            label=f"NEW_INBOUND_CALL (LEG-A {leg_a.get('status') or 'arrived'})",
            raw=raw,
            fingerprint=hashlib.sha256(f"pstn\x1f{at.isoformat()}\x1f{raw}".encode()).hexdigest(),
            details={"transaction_id": line.get("transaction_id"), "legs": [leg_a], "pstn": True},
        )
        hops.insert(0, arrival)
    return hops


def _ids(line: dict[str, Any]) -> set[str]:
    ids = {str(line.get("transaction_id") or "")} | {
        str(leg.get("call_id") or "") for leg in line.get("legs") or []
    }
    ids.discard("")
    return ids


def _by_time_and_headers(
    line: dict[str, Any], at: datetime, facts: dict[str, CallFacts], taken: set[str]
) -> str | None:
    sent = {str(k).lower(): str(v) for k, v in dict(line.get("sip_headers") or {}).items()}
    candidates = [
        (fact.invite_at, call_id)
        for call_id, fact in facts.items()
        if call_id not in taken
        and fact.invite_at is not None
        and at - CLOCK_SKEW <= fact.invite_at <= at + DECISION_WINDOW
        and all(fact.x_headers.get(name) == value for name, value in sent.items())
    ]
    return min(candidates)[1] if candidates else None


@dataclass
class JoinedDecisions:
    """Decisions per SIP Call-ID, and the failed decisions of transactions that reached no SIP call."""

    by_call: dict[str, list[PseudoHop]] = field(default_factory=dict)
    failed_alone: dict[str, list[PseudoHop]] = field(default_factory=dict)


def join_decisions(events: list[LogEvent], facts: dict[str, CallFacts], connector: str) -> JoinedDecisions:
    """Lambda decisions per SIP Call-ID (see the module docstring for how they are matched)."""
    lines = []
    for event in sorted(events, key=lambda e: e.timestamp or 0):
        line = decision_line(event.message)
        if line is not None:
            lines.append((line, datetime.fromtimestamp((event.timestamp or 0) / 1000, UTC)))
    joined = JoinedDecisions()
    by_transaction: dict[str, str] = {}
    alone: dict[str, list[PseudoHop]] = {}
    for line, at in lines:
        ids = _ids(line)
        call_id = next((c for c, fact in facts.items() if ids & (fact.legs | {c})), None)
        transaction = str(line.get("transaction_id") or "")
        if call_id is None and transaction in by_transaction:
            call_id = by_transaction[transaction]
        if call_id is None and line.get("invocation") == "NEW_INBOUND_CALL":
            call_id = _by_time_and_headers(line, at, facts, set(by_transaction.values()))
        if call_id is None:
            if transaction:
                alone.setdefault(transaction, []).extend(hops_of(line, at, connector))
            continue
        if transaction:
            by_transaction.setdefault(transaction, call_id)
        joined.by_call.setdefault(call_id, []).extend(hops_of(line, at, connector))
    # A transaction whose Lambda failed (no action, a failed action) may never reach the connector:
    # without this the admin would see no call at all.
    joined.failed_alone = {
        transaction: hops
        for transaction, hops in alone.items()
        if transaction not in by_transaction and any(hop.is_failure for hop in hops)
    }
    return joined
