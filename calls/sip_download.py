"""A call's SIP messages as one text file, for a vendor ticket or sngrep: each message under a line
saying when it was sent and between which hosts, in ladder order."""

from __future__ import annotations

import re

from django.http import HttpResponse

from calls.choices import Direction
from calls.models import SipCall

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def sip_text(call: SipCall) -> str:
    """The messages of `call` (`call.messages` prefetched in order or not) as plain text, CRLF kept."""
    parts = [f"# Call-ID: {call.call_id}\n"]
    for message in call.messages.order_by("at", "seq", "id"):
        when = message.at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"
        kind = " (SMA Lambda decision, not SIP)" if message.direction == Direction.INTERNAL else ""
        parts.append(f"\n# {when}  {message.src} -> {message.dst}: {message.label}{kind}\n")
        parts.append(message.raw if message.raw.endswith("\n") else message.raw + "\n")
    return "".join(parts)


def download_name(call: SipCall) -> str:
    """A file name safe in a Content-Disposition header: `sip-<call id>.txt`."""
    return f"sip-{_UNSAFE.sub('_', call.call_id)[:80] or call.pk}.txt"


def sip_text_download(call: SipCall) -> HttpResponse:
    """`sip_text(call)` as a text/plain download."""
    response = HttpResponse(sip_text(call), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(call)}"'
    return response
