"""The voice webhook's Redis work on a live call (issue 15, item 1): keeping the call's answer for
Twilio's repeats and queueing its record are one round trip, shared by every web process; a Redis that
refuses it costs the record, never the call."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import redis
from django.core.cache import cache

from integrations.hooks import record_queue, replays
from integrations.models import TwilioCallEvent
from integrations.tests.twilio_webhook_world import dialed_sip
from testing.plugins.webhooks import MakeWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_commands(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every command any Redis client of this process sends (Django's cache included)."""
    sent: list[str] = []
    execute = redis.Redis.execute_command

    def counted(self: redis.Redis, *args: Any, **options: Any) -> Any:
        sent.append(str(args[0]))
        return execute(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    return sent


@pytest.fixture
def records_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    from controlplane.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def test_a_new_call_costs_one_redis_round_trip(
    webhook_world: MakeWorld, redis_commands: list[str], settings: Any
) -> None:
    assert settings.VOICE_RECORDS_REDIS_URL, "the suite runs against Redis (.ci/run)"
    # Django's cache on Redis too, as production has it (controlplane/settings.py with REDIS_URL).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.VOICE_RECORDS_REDIS_URL,
            "KEY_PREFIX": "patchbay-test-webhook",
        }
    }
    world = webhook_world()
    world.post(world.call_params())  # warms the webhook's cache of the integration
    redis_commands.clear()

    response = world.post(world.call_params())

    assert response.status_code == 200 and dialed_sip(response.content)
    assert redis_commands == ["EVAL"], "answer kept + record queued in one script"


def test_a_repeat_reaching_another_process_gets_the_first_answer(
    webhook_world: MakeWorld, records_inline: None
) -> None:
    world = webhook_world(config={"prepare_inbound": True})
    params = world.call_params()
    first = world.post(params)
    # Another web process: nothing of this one's memory or of Django's cache, the same Redis.
    cache.clear()

    again = world.post(params)

    assert again.status_code == 200 and again.content == first.content
    stored = record_queue.client().get(replays.redis_key(world.public_id, params["CallSid"]))  # type: ignore[union-attr]
    assert replays.decode(stored) is not None
    assert TwilioCallEvent.objects.filter(integration=world.integration).count() == 1


def test_a_redis_that_refuses_costs_the_record_not_the_call(
    webhook_world: MakeWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    world = webhook_world()

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(record_queue, "answer_once", refused)
    caplog.set_level(logging.WARNING)

    response = world.post(world.call_params())

    assert response.status_code == 200 and dialed_sip(response.content), "the caller is still connected"
    assert "not recorded" in caplog.text
    assert not TwilioCallEvent.objects.filter(integration=world.integration).exists()
