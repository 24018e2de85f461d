"""What a log or a capture saw: one SIP message, or a non-SIP step that belongs on a ladder.

Below both `calls.grouping` (messages -> calls) and `calls.reasons` (why a call failed), which read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from calls.sip_message import SipMessage


@dataclass(frozen=True)
class ObservedMessage:
    """A parsed SIP message as a log or a capture saw it; `src`/`dst` when the capture knows them."""

    at: datetime
    message: SipMessage
    fingerprint: str
    src: str = ""
    dst: str = ""
    #: the vendor's id for the call leg (Chime's `call_id`), if any
    leg: str = ""


@dataclass(frozen=True)
class PseudoHop:
    """Something that is not a SIP message but belongs on the ladder (the SMA Lambda's decision)."""

    at: datetime
    src: str
    dst: str
    label: str
    raw: str
    fingerprint: str
    details: dict[str, Any] = field(default_factory=dict)
    is_failure: bool = False
