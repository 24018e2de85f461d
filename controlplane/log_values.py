"""One way to put a value someone else chose (a vendor's parameter, a URL segment) into a log line.

A webhook's `CallSid` comes from whoever sent the request, signed or not: a
newline in it forges a log line, and a 2.4 MB value becomes a 2.4 MB line
(issue 13, item 3). `loggable` escapes everything that is not printable ASCII
(so a line stays one line and a terminal escape stays text) and cuts the
result to a bound, saying how much was cut.
"""

from __future__ import annotations

#: characters of a logged value kept; vendor ids (CallSid, AccountSid) are 34
LOG_VALUE_LIMIT = 80


def loggable(value: object, limit: int = LOG_VALUE_LIMIT) -> str:
    """`value` as one printable, escaped line of at most about `limit` characters."""
    text = value if isinstance(value, str) else str(value)
    head = text[:limit]
    escaped = "".join(char if " " <= char <= "~" and char != "\\" else _escape(char) for char in head)
    if len(escaped) > limit:
        escaped = escaped[:limit]
    cut = len(text) - len(head)
    return f"{escaped}…(+{cut} chars)" if cut else escaped


def _escape(char: str) -> str:
    if char == "\\":
        return "\\\\"
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
