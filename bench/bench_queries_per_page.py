"""Benchmark: SQL queries per list page, at 10 and at 100 rows (issue 15, item 3).

Every list of the API (integrations, accounts, runs, calls, traces, audit, tokens, members) is read
with `?page_size=10` and `?page_size=100` (traces stop at their cap of 20 summaries) after the tenant
holds that many rows; every dashboard list, and the integration page with that many runs and calls,
is read with 10 and with 100 rows present (the dashboard pages audit, calls and traces itself and
lists the rest whole). A page whose query count grows with its rows has an N+1: the benchmark fails
naming it. (The Twilio webhook's hot path is held at 0 queries by `bench_twilio_webhook.py` and the
webhook tests.) Counts, not times: machine noise cannot blur them. Each page is read once before it
is counted, so caches filled on first use (content types, the session) do not count.

Prints a table and writes `bench/results/queries_per_page.json` (not committed). Run with
`make bench`.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calls.api.views import TracePagination
from calls.tests.factories import SipCallFactory, SipMessageFactory, SipTraceFactory
from integrations.choices import IntegrationKind
from integrations.models import Integration
from integrations.models.engine import Run, RunKind, RunState
from integrations.tests.factories import IntegrationFactory, ProviderAccountFactory
from tenants.choices import Role
from tenants.tests.factories import ApiTokenFactory, AuditEventFactory
from testing.world import TenantWorld, member

pytestmark = pytest.mark.django_db

RESULTS = Path(__file__).parent / "results"
SIZES = (10, 100)
KINDS = list(IntegrationKind.values)

#: API list → path under /api/v1/
API_LISTS = {
    "integrations": "integrations/",
    "accounts": "accounts/",
    "runs": "runs/",
    "calls": "calls/",
    "traces": "traces/",
    "audit": "audit/",
    "tokens": "tokens/",
    "members": "members/",
}
#: dashboard list → path
DASHBOARD_LISTS = {
    "integrations": "/integrations/",
    "accounts": "/provider-accounts/",
    "calls": "/integrations/{main}/calls/",
    "integration page": "/integrations/{main}/",
    "traces": "/traces/",
    "audit": "/audit/",
    "tokens": "/tokens/",
    "members": "/members/",
    "overview": "/",
}


def fill(world: TenantWorld, rows: int) -> Integration:
    """Give the tenant `rows` of every listed object, and one integration (returned) that holds `rows`
    runs and calls of its own besides; the world's own members and tokens come on top."""
    tenant = world.tenant
    integrations = [
        IntegrationFactory(tenant=tenant, kind=KINDS[n % len(KINDS)], name=f"bench-{n}") for n in range(rows)
    ]
    main = integrations[0]
    for n, integration in enumerate(integrations + [main] * rows):
        at = timezone.now() - timedelta(minutes=n)
        Run.objects.create(
            tenant=tenant,
            integration=integration,
            integration_name=integration.name,
            kind=RunKind.APPLY,
            state=RunState.SUCCEEDED,
            progress=100,
            started_at=at,
            finished_at=at,
        )
        SipMessageFactory(call=SipCallFactory(tenant=tenant, integration=integration))
    for _ in range(rows):
        SipTraceFactory(tenant=tenant)
        AuditEventFactory(tenant=tenant)
    ProviderAccountFactory.create_batch(rows, tenant=tenant)
    owner = world.users[Role.OWNER]
    for n in range(rows):
        member(tenant, Role.VIEWER, username=f"bench-{rows}-{n}@example.com")
        ApiTokenFactory(tenant=tenant, role=Role.VIEWER, created_by=owner, name=f"bench {n}")
    return main


def count(client: Any, path: str, rows: int | None = None) -> int:
    """Queries of one read of `path`; an API page must hold `rows` items, or the count proves nothing."""
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    if rows is not None:
        full = min(rows, TracePagination.max_page_size) if "/traces/" in path else rows
        assert len(response.json()["results"]) == full, (path, "page not full")
    return len(queries.captured_queries)


def measure(rows: int) -> dict[str, dict[str, int]]:
    world = TenantWorld.build(f"bench{rows}")
    main = fill(world, rows)
    api = world.api(Role.OWNER)
    dashboard = Client()
    dashboard.force_login(world.users[Role.OWNER])
    return {
        "api": {
            name: count(api, f"/api/v1/{path}?page_size={rows}", rows) for name, path in API_LISTS.items()
        },
        "dashboard": {
            name: count(dashboard, path.format(main=main.pk)) for name, path in DASHBOARD_LISTS.items()
        },
    }


def bench_queries_per_page() -> None:
    counts = {rows: measure(rows) for rows in SIZES}
    lines = [f"| list | {' | '.join(f'{rows} rows' for rows in SIZES)} | equal |", "|---|---|---|---|"]
    growing: list[str] = []
    for surface in ("api", "dashboard"):
        for name in counts[SIZES[0]][surface]:
            values = [counts[rows][surface][name] for rows in SIZES]
            equal = len(set(values)) == 1
            if not equal:
                growing.append(f"{surface} {name}")
            lines.append(
                f"| {surface} {name} | {' | '.join(map(str, values))} | {'yes' if equal else 'NO'} |"
            )
    print("\nSQL queries per list page\n" + "\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "queries_per_page.json").write_text(json.dumps(counts, indent=2))
    assert not growing, f"queries grow with the rows on: {', '.join(growing)}"
