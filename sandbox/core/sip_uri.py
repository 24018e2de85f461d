"""Parsing of SIP URIs (`sip:user@host:port;params?headers`) as the HTTP vendors' SIP edges see them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

_SIP_URI = re.compile(
    r"^(?P<scheme>sips?):(?:(?P<user>[^@;?]+)@)?(?P<host>\[[^\]]+\]|[^:;?]+)"
    r"(?::(?P<port>\d+))?(?P<params>;[^?]*)?(?:\?(?P<headers>.*))?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SipUri:
    """The parts of a SIP URI; `headers` are the `?X-Name=value&...` part, URL-decoded, in order."""

    scheme: str
    user: str
    host: str
    port: int | None
    params: dict[str, str] = field(default_factory=dict)
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def transport(self) -> str:
        """The `transport=` parameter (udp when absent, tls for sips:)."""
        return self.params.get("transport", "tls" if self.scheme == "sips" else "udp").lower()


def parse_sip_uri(uri: str) -> SipUri | None:
    """The parsed URI (tolerating `<...>` around it), or None when it is not a SIP URI."""
    found = _SIP_URI.match(uri.strip().removeprefix("<").removesuffix(">"))
    if not found:
        return None
    params: dict[str, str] = {}
    for part in (found["params"] or "").split(";"):
        if part:
            name, _, value = part.partition("=")
            params[name.lower()] = value
    headers = parse_qsl(found["headers"] or "", keep_blank_values=True)
    return SipUri(
        scheme=found["scheme"].lower(),
        user=unquote(found["user"] or ""),
        host=found["host"].lower(),
        port=int(found["port"]) if found["port"] else None,
        params=params,
        headers=headers,
    )


def same_number(a: str, b: str) -> bool:
    """True when two phone-number spellings name the same number (`+1415...` vs `1415...`)."""
    return a == b or (a.lstrip("+") == b.lstrip("+") and a.lstrip("+").isdigit())
