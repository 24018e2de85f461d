"""A create the vendor finishes after Patchbay stopped waiting is adopted, not made twice.

`make soak-faults` found it (2 of 100 seeded runs): a latency fault longer than the client's read timeout
on `CreateVoiceConnector`; the engine retried, looked, found nothing yet and created a second connector,
and then the vendor finished the first request too. Real vendors do this: a request that timed out on the
client's side may still complete. Before it creates again, the engine now gives an unanswered create
`ENGINE_CREATE_SETTLE_SECONDS` (twice the vendor timeout by default) to show up.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings

from integrations.engine.runs import execute_run, request_run
from integrations.models.engine import ResourceNode, RunKind, RunState
from integrations.tests.engine_support import Sandbox, events_text, make_connect_vapi

pytestmark = pytest.mark.django_db(transaction=True)


READ_TIMEOUT = 1.0


def test_a_create_finished_after_the_read_timeout_is_adopted_not_made_twice(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "VENDOR_HTTP_TIMEOUT", READ_TIMEOUT)
    monkeypatch.setattr(settings, "ENGINE_CREATE_SETTLE_SECONDS", 3 * READ_TIMEOUT)
    setup = make_connect_vapi(sandbox)
    # The vendor answers the first create 1.5 s late: the client gave up after 1 s; the write still lands.
    sandbox.fault("chime", "CreateVoiceConnector", "latency", latency_ms=1500)

    run, _ = request_run(setup.integration, RunKind.APPLY, enqueue=execute_run)  # executed here, as a worker
    run.refresh_from_db()

    assert run.state == RunState.SUCCEEDED, events_text(run)
    copies = Counter((o["type"], o["name"]) for o in sandbox.objects_named(setup.prefix))
    assert [key for key, n in copies.items() if n > 1] == []
    connector = ResourceNode.objects.get(integration_id=setup.integration.pk, node="voice_connector")
    assert connector.status == "ready" and connector.external_id
    actions = list(run.events.filter(node="voice_connector", outcome="ok").values_list("action", flat=True))
    assert actions == ["adopt"], events_text(run)
