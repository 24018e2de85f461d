"""The little of SDP (RFC 8866) a failure reason needs: which codecs an offer named."""

from __future__ import annotations

import re

# Static payload types of RFC 3551 §6 that offers often list without an a=rtpmap line.
STATIC_PAYLOADS: dict[str, str] = {
    "0": "PCMU",
    "3": "GSM",
    "4": "G723",
    "8": "PCMA",
    "9": "G722",
    "18": "G729",
}
_MEDIA_LINE = re.compile(r"^m=audio \d+(?:/\d+)? \S+ (?P<formats>[\d ]+)$")
_RTPMAP = re.compile(r"^a=rtpmap:(?P<pt>\d+) (?P<name>[^/\s]+)")


def offered_codecs(body: str) -> list[str]:
    """Codec names of the audio formats offered, in the offer's order (`['PCMU', 'telephone-event']`)."""
    formats: list[str] = []
    names: dict[str, str] = {}
    for line in body.splitlines():
        line = line.strip()
        if media := _MEDIA_LINE.match(line):
            formats.extend(media["formats"].split())
        elif rtpmap := _RTPMAP.match(line):
            names[rtpmap["pt"]] = rtpmap["name"]
    codecs = [names.get(pt) or STATIC_PAYLOADS.get(pt) or f"payload {pt}" for pt in formats]
    return list(dict.fromkeys(codecs))
