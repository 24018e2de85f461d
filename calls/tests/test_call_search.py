"""Support staff search calls: From / To, outcome, far end and duration in the API and on the calls
page, filters by number, outcome and time range, and a call's SIP as a text download."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from calls.tests.sip_samples import VAPI_HOST, answered_call
from calls.tests.stored_calls import store, three_calls
from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from testing.world import TenantWorld

pytestmark = pytest.mark.django_db

Login = Callable[[Any], Client]


def ids(body: dict[str, Any]) -> list[str]:
    return [call["call_id"] for call in body["results"]]


def test_each_call_shows_from_to_outcome_far_end_and_duration(world: TenantWorld) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind="connect_vapi")
    three_calls(integration)
    url = reverse("integration-calls-list", kwargs={"integration_id": integration.pk})

    silent, busy, answered = world.api(Role.VIEWER).get(url).json()["results"]

    assert (answered["from_number"], answered["to_number"]) == ("+15105550101", "+18005550199")
    assert answered["outcome"] == "Answered"
    assert answered["far_end"] == VAPI_HOST
    assert answered["duration_seconds"] == 0.3  # 7 messages, 50 ms apart
    assert (busy["outcome"], busy["final_status"]) == ("Failed (486)", 486)
    assert busy["far_end"] == VAPI_HOST
    assert silent["outcome"] == "No final response"
    assert silent["duration_seconds"] == 0.0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"number": "5550101"}, ["a@x"]),
        ({"number": "+1800555019"}, ["b@x", "a@x"]),  # the To number matches too
        ({"number": "2071838750"}, ["c@x"]),
        ({"status": "answered"}, ["a@x"]),
        ({"status": "failed"}, ["c@x", "b@x"]),  # no final response is a failure
        ({"status": "486"}, ["b@x"]),
        ({"since": "2026-11-23T10:04:00Z"}, ["c@x", "b@x"]),
        ({"until": "2026-11-23T10:04:00"}, ["a@x"]),  # no offset: UTC
        ({"since": "2026-11-23T10:04:00Z", "until": "2026-11-23T10:06:00+00:00"}, ["b@x"]),
        ({"number": "5550177", "status": "answered"}, []),
    ],
)
def test_calls_are_searched_by_number_outcome_and_time(
    world: TenantWorld, query: dict[str, str], expected: list[str]
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind="connect_vapi")
    three_calls(integration)
    nested = reverse("integration-calls-list", kwargs={"integration_id": integration.pk})

    for url in (nested, reverse("call-list")):
        found = world.api(Role.VIEWER).get(url, query)
        assert found.status_code == 200, found.json()
        assert ids(found.json()) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "busy"}, "status"),
        ({"status": "99"}, "status"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-11-23T11:00:00Z", "until": "2026-11-23T10:00:00Z"}, "until"),
        ({"number": "5" * 65}, "number"),
    ],
)
def test_a_search_it_cannot_use_is_a_400_naming_the_parameter(
    world: TenantWorld, query: dict[str, str], field: str
) -> None:
    found = world.api(Role.VIEWER).get(reverse("call-list"), query)

    assert found.status_code == 400
    assert found.json()["code"] == "invalid"
    assert list(found.json()["errors"]) == [field]


def test_the_calls_page_searches_and_keeps_the_search_across_pages(
    world: TenantWorld, dashboard_client: Login
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind="connect_vapi")
    three_calls(integration)
    url = reverse("calls:integration-calls", args=[integration.pk])
    client = dashboard_client(world.users[Role.VIEWER])

    everything = client.get(url).content.decode()
    failed = client.get(url, {"status": "failed", "number": "+1510"}).content.decode()
    none = client.get(url, {"number": "999999"}).content.decode()
    refused = client.get(url, {"status": "busy"}).content.decode()

    assert all(f'data-call-id="{c}"' in everything for c in ("a@x", "b@x", "c@x"))
    assert "+15105550101 → +18005550199" in everything
    assert "Answered" in everything and "Failed (486)" in everything and "No final response" in everything
    assert f'<strong>Vapi</strong><div class="muted far-end-address">{VAPI_HOST}</div>' in everything
    assert "300 ms" in everything  # the answered call's duration
    assert 'data-call-id="b@x"' in failed and 'data-call-id="a@x"' not in failed
    assert 'data-call-id="c@x"' not in failed  # +44 does not contain +1510
    assert "1 call found." in failed
    assert "No call matches" in none
    assert "Use answered, failed, or a SIP status code" in refused


def test_a_calls_sip_downloads_as_text_from_the_page_and_the_api(
    world: TenantWorld, dashboard_client: Login, other_world: TenantWorld
) -> None:
    call = store(IntegrationFactory(tenant=world.tenant), answered_call("dl@x"))

    page = dashboard_client(world.users[Role.VIEWER]).get(reverse("calls:call-sip", args=[call.pk]))
    api = world.api(Role.VIEWER).get(reverse("call-sip", kwargs={"pk": call.pk}))
    elsewhere = dashboard_client(other_world.users[Role.OWNER]).get(reverse("calls:call-sip", args=[call.pk]))

    for answer in (page, api):
        assert answer.status_code == 200
        assert answer["Content-Type"] == "text/plain; charset=utf-8"
        assert answer["Content-Disposition"] == 'attachment; filename="sip-dl_x.txt"'
        text = answer.content.decode()
        assert text.count("\r\nCall-ID: dl@x\r\n") == 7
        assert text.index("INVITE sip:") < text.index("SIP/2.0 100 Trying") < text.index("BYE sip:")
        assert "# 2026-11-23 10:00:00.000 UTC" in text
    assert elsewhere.status_code == 404
    ladder = dashboard_client(world.users[Role.VIEWER]).get(reverse("calls:call-detail", args=[call.pk]))
    assert reverse("calls:call-sip", args=[call.pk]) in ladder.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        # Offsets RFC 3339 allows and PostgreSQL refuses (past ±15:59): the API fuzz found a 500.
        {"until": "0289-09-26T06:15:15+19:20"},
        {"since": "2026-11-23T10:00:00-23:59"},
        # Off the calendar once in UTC: the calendar's first or last instant bounds the range.
        {"since": "0001-01-01T00:00:00+14:00", "until": "9999-12-31T23:59:59-14:00"},
    ],
)
def test_any_rfc_3339_offset_is_searched_in_utc(world: TenantWorld, query: dict[str, str]) -> None:
    found = world.api(Role.VIEWER).get(reverse("call-list"), query)

    assert found.status_code == 200, found.content
