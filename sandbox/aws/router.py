"""Tell AWS requests apart by the SigV4 credential scope, as every AWS endpoint shares one port.

boto3 signs every request with `Credential=<key>/<date>/<region>/<service>/aws4_request`
in the `Authorization` header, or in the `X-Amz-Credential` query parameter of a
presigned URL. The `<service>` part is the signing name (`chime` for
chime-sdk-voice, AWS.md §1.0), which is what the dispatcher routes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

_SCOPE_PARTS = 5


@dataclass(frozen=True)
class SigV4Scope:
    """The parts of a SigV4 credential scope the sandbox routes on."""

    access_key: str
    region: str
    service: str  # the signing name, lowercased


def _parse_credential(credential: str) -> SigV4Scope | None:
    parts = credential.strip().split("/")
    if len(parts) != _SCOPE_PARTS or parts[4] != "aws4_request" or not parts[2] or not parts[3]:
        return None
    return SigV4Scope(access_key=parts[0], region=parts[2], service=parts[3].lower())


def sigv4_scope(environ: dict[str, Any]) -> SigV4Scope | None:
    """The request's SigV4 scope from `Authorization` or a presigned `X-Amz-Credential`, or None."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if auth.startswith("AWS4-"):
        for field in auth.split(" ", 1)[-1].split(","):
            name, _, value = field.strip().partition("=")
            if name == "Credential":
                return _parse_credential(value)
        return None
    query = parse_qs(environ.get("QUERY_STRING", ""))
    credentials = query.get("X-Amz-Credential")
    if credentials:
        return _parse_credential(credentials[0])
    return None
