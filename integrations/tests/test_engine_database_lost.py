"""A run that loses its database connection mid-apply (PostgreSQL restarted) waits for it and walks again.

`make soak-restarts` restarts a real PostgreSQL under a real worker (bench/soak_restarts.py). Here the
loss is the error psycopg raises then (Django's OperationalError), thrown once in a node thread right
after the node's vendor create and before its id is saved: the worst moment. The run must not fail
(it used to end "failed" with "internal error: OperationalError", or stay "running" with a dead
heartbeat when the loss hit the run's own thread); the second walk adopts the object, never a copy.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import OperationalError

from integrations.engine.executor import GraphExecutor
from integrations.engine.runs import execute_run, request_run
from integrations.models.engine import ResourceNode, RunKind, RunState
from integrations.tests.engine_support import Sandbox, events_text, make_connect_vapi

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lost_database_connection_after_a_create_is_waited_out_and_the_next_walk_adopts(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = make_connect_vapi(sandbox)
    save = GraphExecutor._save
    cut: list[str] = []

    def save_or_lose_the_database(self: GraphExecutor, node: str, **fields: Any) -> None:
        if node == "dynamodb_table" and fields.get("external_id") and not cut:  # the create's answer
            cut.append(node)
            raise OperationalError("server closed the connection unexpectedly")
        save(self, node, **fields)

    monkeypatch.setattr(GraphExecutor, "_save", save_or_lose_the_database)

    run, _ = request_run(setup.integration, RunKind.APPLY, enqueue=execute_run)  # executed here, as a worker
    run.refresh_from_db()

    assert cut == ["dynamodb_table"]
    assert run.state == RunState.SUCCEEDED, events_text(run)
    resumed = run.events.filter(node="", outcome="retry")
    assert [e.message for e in resumed] == ["the database connection was lost; walking the graph again"]
    assert list(run.events.filter(node="dynamodb_table", outcome="ok").values_list("action", flat=True)) == [
        "adopt"
    ]
    rows = ResourceNode.objects.filter(integration_id=setup.integration.pk)
    assert sorted({r.status for r in rows}) == ["ready"]
    copies = Counter((o["type"], o["name"]) for o in sandbox.objects_named(setup.prefix))
    assert [key for key, n in copies.items() if n > 1] == []
