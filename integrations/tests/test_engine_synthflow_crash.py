"""Crash safety of the Synthflow kinds: SIGKILL the worker right after each node's create, then apply again.

As test_engine_crash does for connect_vapi: every node's lost create must be
found (by name, by recorded intent, or by the number it is about) and adopted,
leaving exactly one object per owned node at the vendors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from integrations.models.engine import ResourceNode
from integrations.tests.crash_support import crash_at_every_node
from integrations.tests.engine_support import FAST_ENGINE, Sandbox, apply_settings, sandbox_settings
from integrations.tests.synthflow_engine_support import (
    duplicates_of,
    make_connect_synthflow,
    make_twilio_synthflow,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_connect_synthflow_survives_a_kill_after_every_create(
    sandbox_url: str,
    sandbox_server: Any,
    celery_worker_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    env = {**sandbox_settings(sandbox_server.url), **FAST_ENGINE}
    apply_settings(monkeypatch, env)
    sandbox = Sandbox(sandbox_url)
    setup = make_connect_synthflow(sandbox, slug="crashco", region="us")

    _, creatable, adopted = crash_at_every_node(setup.integration, celery_worker_factory, env, tmp_path / "c")

    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == sorted(creatable)
    assert adopted == set(creatable)
    assert duplicates_of(sandbox, setup.prefix) == {}
    assert {o["type"] for o in sandbox.objects_named(setup.prefix)} == {
        "chime.VoiceConnector",
        "chime.PhoneNumber",
        "connect.ContactFlow",
        "synthflow.number",
    }
    rows = ResourceNode.objects.filter(integration_id=setup.integration.pk)
    assert all(row.status == "ready" and row.external_id for row in rows)
    # Exactly one Voice Connector and one number at all, not only under our names.
    objects = sandbox.ledger()["objects"]
    assert len([o for o in objects if o["type"] == "chime.VoiceConnector"]) == 1
    assert len([o for o in objects if o["type"] == "synthflow.number"]) == 1


def test_twilio_synthflow_survives_a_kill_after_every_create(
    sandbox_url: str,
    sandbox_server: Any,
    celery_worker_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    env = {**sandbox_settings(sandbox_server.url), **FAST_ENGINE, "PUBLIC_BASE_URL": "https://pb.example.com"}
    apply_settings(monkeypatch, env)
    sandbox = Sandbox(sandbox_url)
    setup = make_twilio_synthflow(sandbox, slug="crashtw")

    _, creatable, adopted = crash_at_every_node(setup.integration, celery_worker_factory, env, tmp_path / "t")

    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == sorted(creatable)
    assert adopted == set(creatable)
    assert duplicates_of(sandbox, setup.prefix) == {}
    number = setup.twilio().get_number(setup.sandbox_accounts["twilio"]["phone_number_sid"])
    assert number.voice_url == f"https://pb.example.com/hooks/twilio/voice/{setup.integration.public_id}"
    rows = ResourceNode.objects.filter(integration_id=setup.integration.pk)
    assert all(row.status == "ready" and row.external_id for row in rows)
