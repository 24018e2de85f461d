"""The periodic tasks: probes through a real Celery worker against sipp; the fetch task's wiring."""

from __future__ import annotations

from typing import Any

import pytest

from calls.choices import TargetState
from calls.models import ProbeResult, SipCall
from calls.probe_schedule import due_integration_ids
from calls.tasks import enqueue_due_probes_task, fetch_integration_calls_task
from calls.tests.factories import integration_with_sip_peer
from calls.tests.sandbox_logs import ConnectorLogs
from calls.tests.sip_peers import SIPP_SERVER, SippPeer
from calls.tests.sip_samples import answered_call
from tenants.tests.factories import TenantFactory
from testing.processes import WorkerProcess
from testing.waits import wait_until

# Seconds for the beat task, the probe task and a 4 s probe timeout through a worker on 2 shared cores.
TASK_DEADLINE = 60


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_due_integrations_are_probed_by_a_worker(
    celery_worker_process: WorkerProcess, sipp_peer: Any
) -> None:
    peer: SippPeer = sipp_peer("udp")
    integration = integration_with_sip_peer(TenantFactory(), peer.port)
    assert due_integration_ids() == [str(integration.pk)]

    queued = enqueue_due_probes_task.delay().get(timeout=TASK_DEADLINE)

    assert queued == 1
    wait_until(
        ProbeResult.objects.filter(integration=integration).exists,
        timeout=TASK_DEADLINE,
        message=lambda: f"no probe result:\n{celery_worker_process.log()[-3000:]}",
    )
    result = ProbeResult.objects.get(integration=integration)
    assert (result.response_code, result.server) == (200, SIPP_SERVER)
    assert result.state_after == TargetState.UNKNOWN
    assert due_integration_ids() == []  # probed just now: not due before PROBE_INTERVAL_SECONDS


def test_the_fetch_task_reads_one_integrations_log(connector_logs: ConnectorLogs) -> None:
    connector_logs.write_sip("tx-9", answered_call("task-call@x"), start_ms=connector_logs.now_ms - 10_000)

    touched = fetch_integration_calls_task.apply(args=[str(connector_logs.integration.pk)]).get()

    assert touched == 1
    assert SipCall.objects.get().call_id == "task-call@x"
