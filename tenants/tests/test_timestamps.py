"""The `when` filter (tenants/templatetags/timestamps.py): one format for datetimes and ISO 8601 strings."""

from __future__ import annotations

from datetime import UTC, datetime

from tenants.templatetags.timestamps import when


def test_a_naive_iso_string_is_read_as_utc() -> None:
    # A condition's last_transition_time without an offset: before, make_aware() was handed
    # django.utils.timezone.utc, which Django 5 no longer has (AttributeError on the page).
    assert when("2026-03-04T05:06:07") == "2026-03-04 05:06:07 UTC"


def test_an_aware_iso_string_and_datetime_show_in_the_server_time_zone() -> None:
    assert when("2026-03-04T07:06:07+02:00") == "2026-03-04 05:06:07 UTC"
    assert when(datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)) == "2026-03-04 05:06:07 UTC"


def test_nothing_or_an_unreadable_string_is_the_empty_mark() -> None:
    assert when(None) == "—"
    assert when("") == "—"
    assert when("not a time", empty="-") == "-"
