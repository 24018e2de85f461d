"""Production logs: one JSON object per line with the ids of the request, tenant, integration and run;
one request id from the click to the task it queued and the vendor calls that task made."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from integrations.engine.runs import execute_run
from integrations.models.engine import Run
from integrations.tests.engine_support import make_connect_vapi
from monitoring import log_context
from monitoring.celery_signals import _add_context_headers, _bind_task_context
from monitoring.log_format import MAX_MESSAGE_CHARS, ContextFilter, JsonFormatter


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Everything logged during the test, as production writes it (LOG_FORMAT=json)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line]


def test_a_line_is_one_json_object_with_escaped_truncated_message(json_lines: io.StringIO) -> None:
    with log_context.bound(request_id="req-1", tenant="acme", call="call-9"):
        logging.getLogger("patchbay.test").warning("vendor said %s", "x\ny" + "z" * (MAX_MESSAGE_CHARS + 50))

    (line,) = parsed(json_lines)
    assert {"time", "level", "logger", "message"} <= line.keys()
    assert line["level"] == "WARNING" and line["logger"] == "patchbay.test"
    assert (line["request_id"], line["tenant"], line["call"]) == ("req-1", "acme", "call-9")
    assert line["message"].startswith("vendor said x\ny") and line["message"].endswith("[truncated]")
    assert len(json_lines.getvalue().splitlines()) == 1  # the newline is escaped inside the JSON


@pytest.mark.django_db
def test_each_request_is_one_line_naming_its_url_pattern_not_its_path(
    json_lines: io.StringIO, client: Client
) -> None:
    response = client.get(
        "/invitations/accept/secret-invitation-token/", HTTP_X_REQUEST_ID="bad id with spaces"
    )

    request_id = response["X-Request-ID"]
    assert request_id != "bad id with spaces" and len(request_id) == 32  # refused, a fresh one instead
    (line,) = [line for line in parsed(json_lines) if line["logger"] == "patchbay.request"]
    assert line["request_id"] == request_id
    assert line["message"].startswith(f"GET /invitations/accept/<str:token>/ {response.status_code} ")
    assert "secret-invitation-token" not in json_lines.getvalue()


def test_a_request_id_follows_an_apply_from_click_to_vendor_call(
    json_lines: io.StringIO, sandbox: Any, transactional_db: None
) -> None:
    setup = make_connect_vapi(sandbox)
    queued: list[tuple[int, dict[str, str]]] = []

    def enqueue(run_id: int) -> None:
        headers: dict[str, str] = {}
        _add_context_headers(headers=headers)  # what Celery's before_task_publish adds to the message
        queued.append((run_id, headers))

    client = Client()
    client.force_login(get_user_model().objects.get(username="acme-owner"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("integrations.actions.queue_run", enqueue)
        response = client.post(f"/integrations/{setup.integration.pk}/apply/", HTTP_X_REQUEST_ID="click-4f2a")
    assert response["X-Request-ID"] == "click-4f2a"
    ((run_id, headers),) = queued
    assert headers["patchbay_request_id"] == "click-4f2a"

    # The worker side: a task whose message carries those headers.
    class TaskRequest:
        is_eager = False

    task = type("Task", (), {"request": TaskRequest()})()
    for name, value in headers.items():
        setattr(task.request, name, value)
    _bind_task_context(task=task)
    try:
        execute_run(run_id)
    finally:
        log_context.clear()

    run = Run.objects.get(pk=run_id)
    lines = [line for line in parsed(json_lines) if line.get("run") == str(run.pk)]
    vendor_lines = [line for line in lines if line["logger"] == "patchbay.vendor"]
    assert vendor_lines, "no vendor request was logged with the run's id"
    for line in vendor_lines:
        assert line["request_id"] == "click-4f2a"
        assert line["integration"] == str(setup.integration.pk)
        assert line["tenant"] == setup.integration.tenant.slug
    secrets = setup.vapi.read_secrets().values()
    assert not any(secret in json_lines.getvalue() for secret in secrets)
