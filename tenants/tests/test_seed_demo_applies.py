"""The demo `make run` seeds applies cleanly on its own: every kind, from a fresh seed, by a real worker."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from integrations.choices import IntegrationKind
from integrations.engine.runs import request_run
from integrations.models import Integration
from integrations.models.engine import RunKind, RunState
from integrations.tasks import queue_run
from integrations.tests.engine_support import Sandbox, events_text, wait_for_run
from tenants.models import Tenant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_every_demo_integration_applies_from_a_fresh_seed(
    tmp_path: Path, sandbox: Sandbox, engine_worker: Any
) -> None:
    sandbox.post("reset")
    call_command(
        "seed_demo", "--password-file", str(tmp_path / "pw"), "--sandbox-url", sandbox.url, stdout=StringIO()
    )
    tenant = Tenant.objects.get(slug="demo")
    integrations = list(Integration.objects.for_tenant(tenant).order_by("name"))
    assert {i.kind for i in integrations} == set(IntegrationKind.values)
    synthflow_assistants = [
        i.config["synthflow_assistant_id"] for i in integrations if "synthflow_assistant_id" in i.config
    ]
    assert len(synthflow_assistants) == len(set(synthflow_assistants)) == 3  # one inbound assistant each

    # All four at once, as an admin clicking Apply on each would.
    runs = [request_run(integration, RunKind.APPLY, enqueue=queue_run)[0] for integration in integrations]

    finished = {run.integration_name: wait_for_run(run) for run in runs}
    failed = {name: events_text(run) for name, run in finished.items() if run.state != RunState.SUCCEEDED}
    assert failed == {}
