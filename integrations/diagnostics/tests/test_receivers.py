"""The engine's run_applied event queues the registration refresh after the run's writes commit."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from integrations.diagnostics import tasks
from integrations.engine.events import announce, run_applied
from integrations.tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db


def test_the_refresh_is_queued_on_commit_not_run_in_the_runs_worker(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.observe_after_run_task, "delay", lambda *args: queued.append(args))
    integration = IntegrationFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        announce(run_applied, integration=integration, run_kind="reconcile", changed=False)
        assert queued == [], "nothing is queued before the run's transaction commits"

    for callback in callbacks:
        callback()
    assert queued == [(str(integration.pk), "reconcile", False)]


def test_a_broker_that_refuses_the_refresh_costs_the_refresh_not_the_run(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    def refuse(*_: Any) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.observe_after_run_task, "delay", refuse)
    integration = IntegrationFactory()

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        announce(run_applied, integration=integration, run_kind="apply", changed=True)

    assert "could not queue the registration refresh" in caplog.text


def test_the_task_skips_an_integration_being_deleted() -> None:
    integration = IntegrationFactory(deleting=True)

    assert tasks.observe_after_run_task(str(integration.pk), "apply", True) == "gone"
