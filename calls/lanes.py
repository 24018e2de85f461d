"""What each ladder lane (host) is, in words support staff know: "Chime Voice Connector · d4o9…",
"Vapi", "SMA Lambda". Worked out from the host's name and the other names it was seen under."""

from __future__ import annotations

import re

_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^sma-lambda$"), "SMA Lambda"),
    (re.compile(r"^pstn$"), "Caller (PSTN)"),
    (re.compile(r"(^|\.)sip(\.[a-z]{2})?\.vapi\.ai$"), "Vapi"),
    (re.compile(r"(^|\.)sip(\.[a-z]{2})?\.synthflow\.ai$"), "Synthflow"),
    (re.compile(r"(^|\.)twilio\.com$"), "Twilio"),
    (re.compile(r"(^|\.)(mypurecloud\.[a-z.]+|pure\.cloud)$|^genesys cloud edge$"), "Genesys Cloud"),
]
_CONNECTOR = re.compile(r"^([a-z0-9]+)\.voiceconnector\.chime\.aws$")
#: characters of a Voice Connector id shown in its label: enough to tell two connectors apart
CONNECTOR_ID_SHOWN = 4


def _role_of(name: str) -> str:
    lowered = name.strip().lower().rstrip(".")
    if match := _CONNECTOR.match(lowered):
        return f"Chime Voice Connector · {match.group(1)[:CONNECTOR_ID_SHOWN]}…"
    for pattern, role in _RULES:
        if pattern.search(lowered):
            return role
    return ""


def lane_role(name: str, aliases: str = "") -> str:
    """The role of the host `name` (or of one of its comma-separated `aliases`); "" when unknown."""
    for candidate in [name, *(a.strip() for a in aliases.split(",") if a.strip())]:
        if role := _role_of(candidate):
            return role
    return ""


def lane_label(name: str, aliases: str = "") -> str:
    """The role when known, else the host's own name."""
    return lane_role(name, aliases) or name
