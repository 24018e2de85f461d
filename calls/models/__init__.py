"""Calls models, one module per area; import them from here."""

from calls.models.calls import CallLogCursor, SipCall, SipMessageRecord, SipTrace
from calls.models.probes import ProbeRequest, ProbeResult, SipTarget

__all__ = [
    "CallLogCursor",
    "ProbeRequest",
    "ProbeResult",
    "SipCall",
    "SipMessageRecord",
    "SipTarget",
    "SipTrace",
]
