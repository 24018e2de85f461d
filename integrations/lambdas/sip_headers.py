"""Turn contact attributes into SIP headers that Chime's CallAndBridge accepts.

Rules (AWS.md §3.3): custom headers must start with `x-`; `X-AMZN` is reserved
(the action fails with InvalidActionParameter); values are at most 2048
characters. Vapi matches header names case-insensitively and `x-first_name`
fills `{{first_name}}` (AWS.md §3.6). Seed 001 sends `x-<attribute lowercased>`
and keeps underscores, a legal SIP token character (RFC 3261 §25.1), so the name
is kept as the seed keeps it (issue 12.7); only characters outside
`[a-z0-9_-]` (a space, a dot, ...) become a hyphen.
"""

from __future__ import annotations

import re

MAX_HEADER_VALUE = 2048
_INVALID = re.compile(r"[^a-z0-9_-]+")


def header_name(attribute: str) -> str | None:
    """`x-<attribute>` in lowercase, underscores kept, other characters folded to '-'; None when unusable."""
    body = _INVALID.sub("-", attribute.strip().lower()).strip("-")
    if not body:
        return None
    name = f"x-{body}"
    if name.startswith("x-amzn"):
        return None
    return name


def headers_for(attributes: dict[str, str]) -> dict[str, str]:
    """The `x-` headers for a set of attributes: reserved names dropped, values truncated to 2048."""
    headers: dict[str, str] = {}
    for key in sorted(attributes):
        name = header_name(key)
        if name is None:
            continue
        value = str(attributes[key]).replace("\r", " ").replace("\n", " ")
        headers[name] = value[:MAX_HEADER_VALUE]
    return headers
