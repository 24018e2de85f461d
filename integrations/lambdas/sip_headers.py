"""Turn contact attributes into SIP headers that Chime's CallAndBridge accepts.

Rules (AWS.md §3.3): custom headers must start with `x-`; `X-AMZN` is reserved
(the action fails with InvalidActionParameter); values are at most 2048
characters. Vapi matches header names case-insensitively (AWS.md §3.6), and
Patchbay's config schema demands `^x-[a-z0-9-]+$`, so names are lowercased and
any other character becomes a hyphen.
"""

from __future__ import annotations

import re

MAX_HEADER_VALUE = 2048
_INVALID = re.compile(r"[^a-z0-9-]+")


def header_name(attribute: str) -> str | None:
    """`x-<attribute>` in lowercase with invalid characters folded to '-', or None when unusable."""
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
