"""Searching calls, for support staff: by number, by outcome, by time. One form for the calls page
(GET query) and the API (`?number=&status=&since=&until=`), so both accept and refuse the same things.

- `number`: part of the From or To number (digits and `+`; "5550101" finds "+15105550101").
- `status`: `answered` (2xx), `failed` (no 2xx, or no final response), or a final status code (`486`).
- `since` / `until`: ISO 8601 (`2026-11-23T10:00:00Z`); a time without an offset is UTC (the pages' zone).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

STATUS_WORDS = {"answered": "Answered", "failed": "Failed"}
NUMBER_MAX = 64
#: the browser's date-and-time picker; its value has no offset, and the pages' zone is UTC
LOCAL_TIME = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S")


def _in_utc(value: datetime | None) -> datetime | None:
    """The time in UTC. RFC 3339 allows offsets up to ±23:59, PostgreSQL takes ±15:59 at most (the API
    fuzz found a 500), so the database is only ever given UTC; a time that falls off the calendar in
    UTC (year 1 minus an offset) is the calendar's first or last instant, which bounds the range alike."""
    if value is None:
        return None
    try:
        return value.astimezone(UTC)
    except OverflowError:
        offset = value.utcoffset() or timedelta(0)
        return (datetime.min if offset > timedelta(0) else datetime.max).replace(tzinfo=UTC)


class CallSearchForm(forms.Form):
    """The filters of a call list; every field optional."""

    number = forms.CharField(
        label="Number",
        required=False,
        max_length=NUMBER_MAX,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "+1510555…", "inputmode": "tel"}),
    )
    status = forms.CharField(
        label="Outcome",
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"list": "call-outcomes", "placeholder": "answered, failed or 486"}),
    )
    since = forms.DateTimeField(label="Started after (UTC)", required=False, widget=LOCAL_TIME)
    until = forms.DateTimeField(label="Started before (UTC)", required=False, widget=LOCAL_TIME)

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if "\x00" in number:
            raise forms.ValidationError("Null characters are not allowed.")
        return number

    def clean_status(self) -> str:
        status = self.cleaned_data["status"].strip().lower()
        if status and status not in STATUS_WORDS and not (status.isdigit() and 100 <= int(status) <= 699):
            raise forms.ValidationError("Use answered, failed, or a SIP status code from 100 to 699.")
        return status

    def clean_since(self) -> datetime | None:
        return _in_utc(self.cleaned_data["since"])

    def clean_until(self) -> datetime | None:
        return _in_utc(self.cleaned_data["until"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the time range is before its start.")
        return cleaned

    @property
    def is_filtering(self) -> bool:
        """True when the search narrows the list (some field is set and valid)."""
        return self.is_valid() and any(self.cleaned_data.get(name) for name in self.fields)

    def apply(self, calls: QuerySet) -> QuerySet:
        """`calls` narrowed to the search (call only once `is_valid()`)."""
        data = self.cleaned_data
        if number := data.get("number"):
            calls = calls.filter(Q(from_number__icontains=number) | Q(to_number__icontains=number))
        status = data.get("status")
        if status == "answered":
            calls = calls.filter(final_status__gte=200, final_status__lt=300)
        elif status == "failed":
            calls = calls.filter(Q(final_status__isnull=True) | Q(final_status__gte=300))
        elif status:
            calls = calls.filter(final_status=int(status))
        if since := data.get("since"):
            calls = calls.filter(started_at__gte=since)
        if until := data.get("until"):
            calls = calls.filter(started_at__lte=until)
        return calls
