"""The one timestamp format of every page: `{{ value|when }}` → "2026-11-23 10:00:05 UTC".

Registered as a template builtin (controlplane/settings.py), so every template may use it without
`{% load %}`. Times are shown in the server's TIME_ZONE (UTC) with its name, so a reader in another
zone knows what they read; `{{ value|when_iso }}` gives the ISO 8601 form for `datetime=` attributes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

register = template.Library()

#: seconds are kept: support staff compare a call's time with a vendor's log
FORMAT = "%Y-%m-%d %H:%M:%S %Z"


@register.filter
def when(value: datetime | str | None, empty: str = "—") -> str:
    """`value` in the dashboard's one format, with its time zone; `empty` for None.

    An ISO 8601 string (a condition's `last_transition_time` is kept as one in JSON) is read first."""
    if isinstance(value, str):
        value = parse_datetime(value) if value else None
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
    if not isinstance(value, datetime):
        return empty
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(FORMAT).strip()


@register.filter
def when_iso(value: datetime | None) -> str:
    """`value` as ISO 8601 with its offset (machine-readable, for `<time datetime=...>`)."""
    return value.isoformat() if isinstance(value, datetime) else ""
