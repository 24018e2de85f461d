"""Messages → calls: group by Call-ID, work out who sent each message to whom, and why a call failed.

A SIP message does not say where it came from on the wire. A request was sent
by its top Via (`received` when the next hop recorded the real source, RFC 3261
§18.2.1) to its request-URI host; a response goes back to the top Via, from
the host its request went to. One party shows up under several names (an IP in
Via and Contact, a host name in the request-URI), so names are merged when a
request's Contact or a response's Contact names its sender. A Voice Connector's
log has a point of view (every message was sent or received by the connector,
AWS.md §5.1, and it has no direction field): its own addresses become one
column, and a message is inbound or outbound relative to it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from calls.choices import Direction
from calls.observed import ObservedMessage, PseudoHop
from calls.reasons import explain_failure, final_response
from calls.sip_message import SipMessage

CHIME_HOST_SUFFIX = ".voiceconnector.chime.aws"


@dataclass(frozen=True)
class Perspective:
    """The host that wrote the log (a Voice Connector): its display name and the addresses it uses."""

    name: str
    addresses: frozenset[str] = frozenset()

    def owns(self, address: str) -> bool:
        """True for the connector's own addresses (its host name, any `*.voiceconnector.chime.aws`)."""
        return address in self.addresses or address == self.name or address.endswith(CHIME_HOST_SUFFIX)


@dataclass
class LadderMessage:
    """One arrow of a ladder."""

    at: datetime
    src: str
    dst: str
    label: str
    direction: str
    raw: str
    headers: dict[str, Any]
    is_failure: bool
    fingerprint: str


@dataclass
class CallDraft:
    """One call, ready to be stored: its messages in order, its columns, final status and reason."""

    call_id: str
    messages: list[LadderMessage]
    hosts: list[dict[str, str]]
    legs: list[str]
    final_status: int | None
    reason: str

    @property
    def started_at(self) -> datetime:
        """When the first message (or pseudo-hop) was seen."""
        return self.messages[0].at

    @property
    def ended_at(self) -> datetime:
        """When the last message was seen."""
        return self.messages[-1].at


class _Aliases:
    """Union-find over the names of one call's parties."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.order: list[str] = []

    def add(self, name: str) -> str:
        if name and name not in self.parent:
            self.parent[name] = name
            self.order.append(name)
        return name

    def find(self, name: str) -> str:
        self.add(name)
        while self.parent[name] != name:
            self.parent[name] = self.parent[self.parent[name]]
            name = self.parent[name]
        return name

    def union(self, a: str, b: str) -> None:
        if a and b:
            ra, rb = self.find(a), self.find(b)
            if ra != rb:
                self.parent[rb] = ra

    def groups(self) -> dict[str, list[str]]:
        """Every root with its names in order of first appearance (one pass, not one per name)."""
        found: dict[str, list[str]] = {}
        for name in self.order:
            found.setdefault(self.find(name), []).append(name)
        return found


def _is_ip(name: str) -> bool:
    """True for an IP address, with or without a port (`10.0.0.1:5080`, `[2001:db8::1]:5060`)."""
    if name.startswith("[") and "]" in name:
        host = name[1 : name.index("]")]
    else:
        host = name.rsplit(":", 1)[0] if name.count(":") == 1 else name
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _transaction(message: SipMessage) -> tuple[str, str]:
    top = message.vias[0]
    return (top.branch or f"{message.cseq_number}", message.cseq_method)


def _raw_hops(observed: Sequence[ObservedMessage], aliases: _Aliases) -> list[tuple[str, str]]:
    """(src, dst) names per message, before names are merged."""
    request_dst: dict[tuple[str, str], str] = {}
    hops: list[tuple[str, str]] = []
    for item in observed:
        message = item.message
        if item.src and item.dst:
            hops.append((aliases.add(item.src), aliases.add(item.dst)))
            if message.is_request:
                request_dst[_transaction(message)] = item.dst
            continue
        top = message.vias[0]
        if message.is_request:
            src, dst = top.address, message.request_host or (message.to_addr.host if message.to_addr else "")
            request_dst[_transaction(message)] = dst
            if top.received and top.received != top.host:
                aliases.union(top.received, top.host)
        else:
            dst = top.address
            contact = message.contacts[0].host if message.contacts else ""
            src = (
                request_dst.get(_transaction(message))
                or contact
                or (message.to_addr.host if message.to_addr else "")
            )
        hops.append((aliases.add(src or "unknown"), aliases.add(dst or "unknown")))
    return hops


def _merge_contacts(
    observed: Sequence[ObservedMessage], hops: list[tuple[str, str]], aliases: _Aliases
) -> None:
    # A UA's Contact is its own address (RFC 3261 §8.1.1.8), so it names the message's sender.
    for item, (src, dst) in zip(observed, hops, strict=True):
        if item.src and item.dst:
            continue
        for contact in item.message.contacts:
            if contact.host and aliases.find(contact.host) != aliases.find(dst):
                aliases.union(src, contact.host)


def _merge_perspective(
    observed: Sequence[ObservedMessage], hops: list[tuple[str, str]], aliases: _Aliases, view: Perspective
) -> str:
    """Merge the connector's names into one party; returns its root name."""
    self_root = aliases.add(view.name)
    for name in list(aliases.order):
        if view.owns(name):
            aliases.union(self_root, name)
    for item, (src, dst) in zip(observed, hops, strict=True):
        root = aliases.find(self_root)
        if root in (aliases.find(src), aliases.find(dst)):
            continue
        # Every message in the connector's log was sent or received by it: a request to someone
        # else was sent by it, a response to someone else's request was received by it.
        aliases.union(self_root, src if item.message.is_request else dst)
    return aliases.find(self_root)


def _display_name(members: list[str], view: Perspective | None, self_root: str, root: str) -> str:
    if view is not None and root == self_root:
        return view.name
    names = [m for m in members if m != "unknown"]
    hostnames = [m for m in names if not _is_ip(m)]
    return (hostnames or names or ["unknown"])[0]


def _failures(observed: Sequence[ObservedMessage]) -> list[bool]:
    """Per message: is it a failure (a 4xx-6xx), in one pass from the end. A 401/407 followed by the
    same request with credentials is digest auth working as designed (RFC 3261 §22), not a failure."""
    # method -> whether the next request of that method (after the message being looked at) has credentials
    next_has_credentials: dict[str, bool] = {}
    failures = [False] * len(observed)
    for index in range(len(observed) - 1, -1, -1):
        message = observed[index].message
        if message.is_request:
            credentials = message.header("Authorization") or message.header("Proxy-Authorization")
            next_has_credentials[message.method] = bool(credentials)
            continue
        code = message.status_code
        if code is None or code < 400:
            continue
        retried = code in (401, 407) and next_has_credentials.get(message.cseq_method, False)
        failures[index] = not retried
    return failures


def build_call(
    call_id: str,
    observed: Sequence[ObservedMessage],
    view: Perspective | None = None,
    pseudo_hops: Iterable[PseudoHop] = (),
) -> CallDraft:
    """One call's ladder from its messages (in time order) and any pseudo-hops."""
    aliases = _Aliases()
    if view is not None:
        aliases.add(view.name)
    hops = _raw_hops(observed, aliases)
    _merge_contacts(observed, hops, aliases)
    self_root = _merge_perspective(observed, hops, aliases, view) if view is not None else ""
    groups = aliases.groups()
    shown = {root: _display_name(members, view, self_root, root) for root, members in groups.items()}
    names = {name: shown[aliases.find(name)] for name in aliases.order}
    failures = _failures(observed)
    ladder: list[LadderMessage] = []
    for index, (item, (src, dst)) in enumerate(zip(observed, hops, strict=True)):
        direction = Direction.UNKNOWN
        if view is not None:
            direction = Direction.OUTBOUND if aliases.find(src) == self_root else Direction.INBOUND
        ladder.append(
            LadderMessage(
                at=item.at,
                src=names[src],
                dst=names[dst],
                label=item.message.label,
                direction=direction,
                raw=item.message.raw,
                headers=item.message.as_json(),
                is_failure=failures[index],
                fingerprint=item.fingerprint,
            )
        )
    sip_part, ladder = sorted(ladder, key=lambda m: m.at), []
    for hop in sorted(pseudo_hops, key=lambda h: h.at):
        ladder.append(
            LadderMessage(
                at=hop.at,
                src=hop.src,
                dst=hop.dst if hop.dst else (view.name if view else "unknown"),
                label=hop.label,
                direction=Direction.INTERNAL,
                raw=hop.raw,
                headers=hop.details,
                is_failure=hop.is_failure,
                fingerprint=hop.fingerprint,
            )
        )
    ladder = _merge(sip_part, ladder)
    status, answered_request = final_response(observed)
    return CallDraft(
        call_id=call_id,
        messages=ladder,
        hosts=_columns(ladder, aliases, names),
        legs=sorted({item.leg for item in observed if item.leg}),
        final_status=status.status_code if status else None,
        reason=explain_failure(observed, status, answered_request, list(pseudo_hops)),
    )


def _causes_sip(message: LadderMessage) -> bool:
    return bool(message.headers.get("actions") or message.headers.get("pstn"))


def _merge(sip: list[LadderMessage], hops: list[LadderMessage]) -> list[LadderMessage]:
    """SIP messages and pseudo-hops in time order, each kept in its own order. At the same instant the
    PSTN leg's arrival and a decision that instructs the connector (it names actions) come before the
    SIP they cause, and the Lambda's other answers (reactions) after."""
    merged: list[LadderMessage] = []
    index = 0
    for hop in hops:
        while index < len(sip) and (
            sip[index].at < hop.at or (sip[index].at == hop.at and not _causes_sip(hop))
        ):
            merged.append(sip[index])
            index += 1
        merged.append(hop)
    return merged + sip[index:]


def _columns(ladder: list[LadderMessage], aliases: _Aliases, names: dict[str, str]) -> list[dict[str, str]]:
    """Ladder columns in order of first appearance, each with the other names it was seen under."""
    seen: dict[str, dict[str, None]] = {}  # dicts as ordered sets: one lookup per name, not a scan
    for message in ladder:
        for name in (message.src, message.dst):
            seen.setdefault(name, {})
    for raw, name in names.items():
        if raw != name and name in seen:
            seen[name].setdefault(raw, None)
    return [{"name": name, "aliases": ", ".join(other)} for name, other in seen.items()]


def group_calls(
    observed: Iterable[ObservedMessage],
    view: Perspective | None = None,
    pseudo_hops: dict[str, list[PseudoHop]] | None = None,
) -> list[CallDraft]:
    """Group messages by Call-ID (duplicates by fingerprint dropped) into calls, oldest first."""
    by_call: dict[str, list[ObservedMessage]] = {}
    seen: set[str] = set()
    for item in sorted(observed, key=lambda o: o.at):
        if item.fingerprint in seen:
            continue
        seen.add(item.fingerprint)
        by_call.setdefault(item.message.call_id, []).append(item)
    hops = pseudo_hops or {}
    drafts = [build_call(call_id, items, view, hops.get(call_id, ())) for call_id, items in by_call.items()]
    return sorted(drafts, key=lambda d: d.started_at)
