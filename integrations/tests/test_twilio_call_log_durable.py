"""The call log survives its web process (issue 13, item 11): a gunicorn process answers N signed calls and
is SIGKILLed the moment the last answer arrives; the Celery worker still writes all N records."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from integrations.models import TwilioCallEvent, TwilioEventKind
from integrations.tests.twilio_webhook_world import PUBLIC_BASE_URL, WebhookWorld
from testing.processes import ROOT, WorkerProcess, worker_environment
from testing.waits import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

CALLS = 12
#: seconds for gunicorn to import Django and answer (2 shared cores)
WEB_READY_DEADLINE = 60.0
#: seconds for the worker to write what the broker holds
RECORDS_DEADLINE = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def web_process(
    celery_worker_process: WorkerProcess, tmp_path: Any
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A gunicorn web process on the test database, publishing to the test worker's queue."""
    port = _free_port()
    env = worker_environment(
        {"CELERY_TASK_DEFAULT_QUEUE": celery_worker_process.queue, "PUBLIC_BASE_URL": PUBLIC_BASE_URL}
    )
    log = (tmp_path / "web.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "controlplane.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the master and its worker die together
    )
    base = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        assert process.poll() is None, (tmp_path / "web.log").read_text()
        return False

    wait_until(answering, timeout=WEB_READY_DEADLINE, message=lambda: (tmp_path / "web.log").read_text())
    yield base, process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    log.close()


def test_records_of_answered_calls_survive_the_web_process_being_killed(
    webhook_world: Callable[..., WebhookWorld], web_process: tuple[str, subprocess.Popen[bytes]]
) -> None:
    world = webhook_world()
    base, process = web_process
    answered = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(CALLS):
            params = world.call_params()
            signature = world.sign(f"{PUBLIC_BASE_URL}{world.path}", params)
            response = client.post(world.path, data=params, headers={"X-Twilio-Signature": signature})
            assert response.status_code == 200 and "<Sip" in response.text, response.text
            answered.append(params["CallSid"])
    # The moment the last answer is in: no warm shutdown, no flush, nothing left in the process survives.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    records = TwilioCallEvent.objects.filter(
        integration=world.integration, kind=TwilioEventKind.VOICE_WEBHOOK
    )

    def all_recorded() -> list[str]:
        recorded = list(records.values_list("call_sid", flat=True))
        return recorded if len(recorded) >= CALLS else []

    recorded = wait_until(
        all_recorded, timeout=RECORDS_DEADLINE, message=lambda: f"recorded {records.count()} of {CALLS} calls"
    )
    assert sorted(recorded) == sorted(answered)
