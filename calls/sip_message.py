"""One SIP message (RFC 3261 §7) parsed from its raw text: start line, headers, body.

Header *values* (Via, From/To/Contact addresses, URIs, CSeq) are parsed with
the `sipmessage` package, whose grammar follows RFC 3261 closely. Its own
message framing is not used: it needs CRLF everywhere, rejects folded header
lines, and ignores Content-Length — and the messages we read come from text
logs and trace exports that turn CRLF into LF and append the next message.
So the framing below is ours, and strict: a malformed message raises
`SipParseError` with a message saying what is wrong, never anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sipmessage

#: RFC 3261 §7.3.3 compact forms (plus the IANA registry's others), name → full name
COMPACT_FORMS: dict[str, str] = {k: v for k, v in sipmessage.message.COMPACT_FORMS.items()}

# Messages larger than this are not SIP signalling (UDP caps at 64 KiB; RFC 3261 §18.1.1).
MAX_MESSAGE_BYTES = 65_535
_TOKEN = r"[A-Za-z0-9\-.!%*_+`'~]+"
REQUEST_LINE = re.compile(rf"^(?P<method>{_TOKEN}) (?P<uri>\S+) SIP/2\.0$")
STATUS_LINE = re.compile(r"^SIP/2\.0 (?P<code>[1-6]\d\d)(?: (?P<reason>[^\r\n]*))?$")
_HEADER_NAME = re.compile(rf"^{_TOKEN}$")


class SipParseError(ValueError):
    """The text is not a well-formed SIP message; the message says why."""


@dataclass(frozen=True)
class ViaHop:
    """One Via entry: who sent the request on this hop, and how."""

    transport: str
    host: str
    port: int | None
    branch: str
    received: str
    rport: str

    @property
    def address(self) -> str:
        """Where the hop was really seen from: `received` if the next hop noted it, else the sent-by host."""
        return self.received or self.host


@dataclass(frozen=True)
class NameAddr:
    """A From/To/Contact value: the URI's user and host, and the tag."""

    uri: str
    user: str
    host: str
    port: int | None
    tag: str
    display_name: str = ""


@dataclass
class SipMessage:
    """A parsed SIP request or response; `headers` keeps every value of every header, in order."""

    start_line: str
    method: str  # the request's method, or the CSeq method of a response
    request_uri: str
    status_code: int | None
    reason_phrase: str
    headers: list[tuple[str, str]]
    body: str
    raw: str
    vias: list[ViaHop] = field(default_factory=list)
    from_addr: NameAddr | None = None
    to_addr: NameAddr | None = None
    contacts: list[NameAddr] = field(default_factory=list)
    call_id: str = ""
    cseq_number: int | None = None
    cseq_method: str = ""

    @property
    def is_request(self) -> bool:
        """True for a request, False for a response."""
        return self.status_code is None

    @property
    def label(self) -> str:
        """What a ladder arrow says: the method, or the status line (`486 Busy Here`)."""
        if self.is_request:
            return self.method
        return f"{self.status_code} {self.reason_phrase}".strip()

    @property
    def request_host(self) -> str:
        """The host of the request-URI ('' for responses or a URI without a host)."""
        if not self.is_request:
            return ""
        try:
            return sipmessage.URI.parse(self.request_uri).host
        except ValueError:
            return ""

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive, compact forms understood), or None."""
        wanted = canonical_name(name).lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def header_values(self, name: str) -> list[str]:
        """Every value of a header, in order."""
        wanted = canonical_name(name).lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @property
    def x_headers(self) -> dict[str, str]:
        """Every `X-`/`x-` header (custom headers a far end may act on), first value of each."""
        found: dict[str, str] = {}
        for key, value in self.headers:
            if key.lower().startswith("x-"):
                found.setdefault(key, value)
        return found

    def as_json(self) -> dict[str, Any]:
        """The parsed headers worth keeping beside the raw text (stored with each ladder message)."""
        return {
            "start_line": self.start_line,
            "method": self.method,
            "request_uri": self.request_uri,
            "status_code": self.status_code,
            "reason_phrase": self.reason_phrase,
            "call_id": self.call_id,
            "cseq": {"number": self.cseq_number, "method": self.cseq_method},
            "via": [vars(hop) for hop in self.vias],
            "from": vars(self.from_addr) if self.from_addr else None,
            "to": vars(self.to_addr) if self.to_addr else None,
            "contact": [vars(c) for c in self.contacts],
            # pairs, not an object: PostgreSQL's jsonb does not keep the order of keys
            "x_headers": [[name, value] for name, value in self.x_headers.items()],
            "user_agent": self.header("User-Agent") or self.header("Server") or "",
            "content_type": self.header("Content-Type") or "",
        }


def canonical_name(name: str) -> str:
    """A header name with compact forms expanded (`v` → `Via`); other names unchanged."""
    return COMPACT_FORMS.get(name.lower(), name) if len(name) == 1 else name


def looks_like_sip(text: str) -> bool:
    """True when the first line of `text` is a SIP request or status line."""
    first = text.lstrip("\r\n").split("\n", 1)[0].rstrip("\r")
    return bool(REQUEST_LINE.match(first) or STATUS_LINE.match(first))


def _split_head(text: str) -> tuple[list[str], str]:
    """Header lines (folded lines joined, RFC 3261 §7.3.1) and the body, accepting CRLF or bare LF."""
    match = re.search(r"\r?\n\r?\n", text)
    if match is None:
        head, body = text, ""
    else:
        head, body = text[: match.start()], text[match.end() :]
    lines: list[str] = []
    for line in re.split(r"\r?\n", head):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] = lines[-1].rstrip() + " " + line.strip()
        else:
            lines.append(line.rstrip("\r"))
    return lines, body


def _header_pairs(lines: list[str]) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    for number, line in enumerate(lines, start=2):
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not _HEADER_NAME.match(name):
            raise SipParseError(f"line {number} is not a header ('Name: value'): {line[:80]!r}")
        headers.append((canonical_name(name), value.strip()))
    return headers


def _name_addr(header: str, value: str) -> NameAddr:
    try:
        address = sipmessage.Address.parse(value)
    except ValueError:
        raise SipParseError(f"{header} is not a valid address: {value[:120]!r}") from None
    return _from_address(address)


def _from_address(address: sipmessage.Address) -> NameAddr:
    uri = address.uri
    return NameAddr(
        uri=str(uri),
        user=uri.user or "",
        host=uri.host,
        port=uri.port,
        tag=address.parameters.get("tag") or "",
        display_name=address.name,
    )


def _vias(values: list[str]) -> list[ViaHop]:
    hops: list[ViaHop] = []
    for value in values:
        try:
            parsed = sipmessage.Via.parse_many(value)
        except ValueError:
            raise SipParseError(f"Via is not valid: {value[:120]!r}") from None
        for via in parsed:
            params = via.parameters
            hops.append(
                ViaHop(
                    transport=via.transport.upper(),
                    host=via.host,
                    port=via.port,
                    branch=params.get("branch") or "",
                    received=params.get("received") or "",
                    rport=params.get("rport") or "",
                )
            )
    return hops


def _body(body: str, content_length: str | None, *, lenient: bool) -> str:
    if content_length is None:
        return body
    try:
        length = int(content_length)
    except ValueError:
        raise SipParseError(f"Content-Length is not a number: {content_length!r}") from None
    if length < 0:
        raise SipParseError(f"Content-Length is negative: {length}")
    encoded = body.encode("utf-8", errors="surrogateescape")
    if len(encoded) < length and not lenient:
        raise SipParseError(f"the body has {len(encoded)} bytes but Content-Length says {length}")
    # Anything after Content-Length bytes belongs to the next message on a stream (RFC 3261 §18.3).
    return encoded[:length].decode("utf-8", errors="replace")


def parse_sip_message(data: bytes | str, *, lenient_body: bool = False) -> SipMessage:
    """Parse one SIP message; `lenient_body` accepts a body shorter than Content-Length (text logs
    that turned CRLF into LF). Raises `SipParseError` for anything that is not a SIP message."""
    if isinstance(data, bytes):
        if len(data) > MAX_MESSAGE_BYTES:
            raise SipParseError(f"{len(data)} bytes is too large for one SIP message")
        text = data.decode("utf-8", errors="replace")
    else:
        text = data
    text = text.lstrip("\r\n")
    if not text.strip():
        raise SipParseError("empty message")
    lines, body = _split_head(text)
    start = lines[0].strip()
    request = REQUEST_LINE.match(start)
    status = STATUS_LINE.match(start)
    if not request and not status:
        raise SipParseError(f"not a SIP request or status line: {start[:80]!r}")
    headers = _header_pairs(lines[1:])
    message = SipMessage(
        start_line=start,
        method=request["method"].upper() if request else "",
        request_uri=request["uri"] if request else "",
        status_code=int(status["code"]) if status else None,
        reason_phrase=(status["reason"] or "").strip() if status else "",
        headers=headers,
        body="",
        raw=text,
    )
    message.body = _body(body, message.header("Content-Length"), lenient=lenient_body)
    _parse_fields(message)
    return message


def _parse_fields(message: SipMessage) -> None:
    """The fields every SIP message must carry (RFC 3261 §8.1.1): Call-ID, CSeq, From, To, Via."""
    call_id = message.header("Call-ID")
    if not call_id:
        raise SipParseError("the message has no Call-ID")
    message.call_id = call_id
    cseq = message.header("CSeq")
    if not cseq:
        raise SipParseError("the message has no CSeq")
    try:
        parsed = sipmessage.CSeq.parse(cseq)
    except ValueError:
        raise SipParseError(f"CSeq is not '<number> <method>': {cseq!r}") from None
    message.cseq_number, message.cseq_method = parsed.sequence, parsed.method.upper()
    if not message.is_request:
        message.method = message.cseq_method
    elif message.cseq_method != message.method:
        raise SipParseError(
            f"CSeq method {message.cseq_method} does not match the request's {message.method}"
        )
    for name in ("From", "To"):
        value = message.header(name)
        if not value:
            raise SipParseError(f"the message has no {name}")
        setattr(message, f"{name.lower()}_addr", _name_addr(name, value))
    message.vias = _vias(message.header_values("Via"))
    if not message.vias:
        raise SipParseError("the message has no Via")
    for value in message.header_values("Contact"):
        if value.strip() == "*":  # REGISTER's "remove all bindings" (RFC 3261 §10.2.2)
            continue
        try:
            addresses = sipmessage.Address.parse_many(value)
        except ValueError:
            raise SipParseError(f"Contact is not a valid address: {value[:120]!r}") from None
        message.contacts.extend(_from_address(address) for address in addresses)
