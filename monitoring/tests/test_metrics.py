"""/metrics as Prometheus scrapes it: refused without the token, and series that move after an
apply (runs, vendor requests), a Twilio webhook call and a SIP probe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from calls.probes import probe_integration
from calls.tests.factories import integration_with_sip_peer
from integrations.engine.runs import execute_run, request_run
from integrations.models.engine import RunKind, RunState
from integrations.tests.engine_support import make_connect_vapi
from monitoring.tests.scrape import METRICS_TOKEN, scrape, value
from testing.world import TenantWorld


@pytest.fixture(autouse=True)
def metrics_token(settings: Any) -> None:
    settings.METRICS_TOKEN = METRICS_TOKEN


@pytest.mark.django_db
def test_anonymous_and_wrong_token_scrapes_are_refused(client: Client) -> None:
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_no_token_configured_refuses_everyone(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_an_apply_moves_the_run_and_vendor_series(client: Client, sandbox: Any) -> None:
    setup = make_connect_vapi(sandbox)
    # Vapi says "slow down" once: Patchbay waits and asks again (a throttle and the node's retry).
    sandbox.fault("vapi", "ListCredentials", "throttle", times=1)
    before = scrape(client)

    run, _ = request_run(setup.integration, RunKind.APPLY, enqueue=execute_run)
    run.refresh_from_db()
    assert run.state == RunState.SUCCEEDED, run.message

    after = scrape(client)
    runs = ("patchbay_runs_total", {"kind": "apply", "outcome": "succeeded"})
    assert value(after, runs[0], **runs[1]) == value(before, runs[0], **runs[1]) + 1
    duration = "patchbay_run_duration_seconds_count"
    assert value(after, duration, kind="apply") == value(before, duration, kind="apply") + 1
    for vendor in ("aws", "vapi"):
        sent = value(after, "patchbay_vendor_requests_total", vendor=vendor)
        assert sent > value(before, "patchbay_vendor_requests_total", vendor=vendor), vendor
    created = value(
        after, "patchbay_vendor_requests_total", vendor="vapi", operation="POST /credential", status="201"
    )
    assert created >= 1
    assert value(after, "patchbay_vendor_request_duration_seconds_count", vendor="aws") > 0
    listing = {"vendor": "vapi", "operation": "GET /credential"}
    throttled = ("patchbay_vendor_requests_total", {"status": "429", **listing})
    assert value(after, throttled[0], **throttled[1]) == value(before, throttled[0], **throttled[1]) + 1
    throttles = "patchbay_vendor_throttles_total"
    assert value(after, throttles, **listing) == value(before, throttles, **listing) + 1
    # In a run the engine owns retries (the client tries once): the retry is the node's, on the run.
    retries = "patchbay_vendor_retries_total"
    assert value(after, retries, **listing) == value(before, retries, **listing)
    assert run.events.filter(node="vapi_credential", outcome="retry").count() == 1
    # The applied integration is counted by health; it is no longer waiting for anything.
    assert (
        value(after, "patchbay_integrations", status="healthy")
        + value(after, "patchbay_integrations", status="degraded")
        >= 1
    )


@pytest.mark.django_db
def test_a_webhook_call_moves_the_answers_by_outcome(
    client: Client, webhook_world: Callable[..., Any]
) -> None:
    world = webhook_world()
    before = scrape(client)

    dialed = world.post(world.call_params())
    forged = world.post(world.call_params(), token="not-the-auth-token")

    assert dialed.status_code == 200 and b"<Sip" in dialed.content
    assert forged.status_code == 403
    after = scrape(client)
    for outcome in ("dialed", "rejected"):
        name = "patchbay_twilio_webhook_answers_total"
        assert value(after, name, outcome=outcome) == value(before, name, outcome=outcome) + 1
        latency = "patchbay_twilio_webhook_duration_seconds_count"
        assert value(after, latency, outcome=outcome) == value(before, latency, outcome=outcome) + 1


@pytest.mark.django_db
def test_a_probe_moves_the_probe_series_and_shows_the_target(client: Client, world: TenantWorld) -> None:
    integration = integration_with_sip_peer(world.tenant, port=9)  # nothing answers SIP on port 9
    before = scrape(client)

    (result,) = probe_integration(integration)

    after = scrape(client)
    probes = "patchbay_probes_total"
    assert value(after, probes, status=result.status) == value(before, probes, status=result.status) + 1
    target = "udp:127.0.0.1:9"
    shown = value(
        after, "patchbay_probe_target_state", integration=integration.name, target=target, state="unknown"
    )
    assert shown == 1.0
