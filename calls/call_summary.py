"""What a call list shows of a call besides its status: who called whom, and which host answered.

Worked out from the ladder's messages (stored rows or drafts: anything with `.headers`, `.src`,
`.dst`), so a call read from a log, a trace or Twilio's webhooks gets the same summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Hop(Protocol):
    """A ladder message as the summary reads it."""

    src: str
    dst: str
    headers: dict[str, Any]


def _user(name_addr: Any) -> str:
    return str(name_addr.get("user") or "") if isinstance(name_addr, dict) else ""


def parties(messages: Sequence[Hop]) -> tuple[str, str]:
    """The user parts of the first INVITE's From and To ("+15105550101", "+15105550199")."""
    for message in messages:
        headers = message.headers or {}
        if headers.get("method") == "INVITE" and headers.get("request_uri"):
            return _user(headers.get("from"))[:255], _user(headers.get("to"))[:255]
    return "", ""


def far_end(final_status: int | None, messages: Sequence[Hop]) -> str:
    """The host that gave the final answer to the call's INVITE, else where the first INVITE went."""
    invites = [m for m in messages if (m.headers or {}).get("method") == "INVITE"]
    if final_status is not None:
        for message in reversed(invites):
            if message.headers.get("status_code") == final_status:
                return message.src
    first = next((m for m in invites if m.headers.get("request_uri")), None)
    return first.dst if first else ""
