"""Twilio webhook worlds: a twilio_synthflow integration on the sandbox, and one whose number rings
Patchbay's live server (moved from integrations/tests/twilio_webhook_world.py and test_twilio_webhook_e2e.py).

What a world is: integrations/tests/twilio_webhook_world.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from integrations.hooks import cache
from integrations.tests.twilio_webhook_world import PUBLIC_BASE_URL, TWILIO_NUMBER, WebhookWorld, build_world
from integrations.vendors.twilio import TwilioClient
from testing import resets

MakeWorld = Callable[..., WebhookWorld]


@pytest.fixture
def webhook_world(db: Any, sandbox_url: str, settings: Any) -> Iterator[MakeWorld]:
    """`webhook_world(region=..., config={...})` → a WebhookWorld; the webhook cache starts empty."""
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    settings.SYNTHFLOW_BASE_URL = f"{sandbox_url}/synthflow"
    settings.TWILIO_BASE_URL = f"{sandbox_url}/twilio"
    cache.clear()
    resets.forget_samples()
    resets.forget_breakers()
    resets.forget_voice_records()

    def make(**kwargs: Any) -> WebhookWorld:
        return build_world(sandbox_url, **kwargs)

    yield make
    cache.clear()
    resets.forget_samples()
    resets.forget_breakers()
    resets.forget_voice_records()


@pytest.fixture
def live_world(webhook_world: MakeWorld, live_server: Any, settings: Any, sandbox_url: str) -> MakeWorld:
    """A world whose Twilio number (in the sandbox) has its VoiceUrl on Patchbay's live server."""
    settings.PUBLIC_BASE_URL = live_server.url

    def make(voice_method: str = "POST", **kwargs: Any) -> WebhookWorld:
        body = {"vendor": "twilio", "phone_number": TWILIO_NUMBER}
        twilio = httpx.post(f"{sandbox_url}/_sandbox/accounts", json=body, timeout=10).json()
        world = webhook_world(account_sid=twilio["account_sid"], auth_token=twilio["auth_token"], **kwargs)
        voice_url = f"{live_server.url}{world.path}"
        TwilioClient(twilio["account_sid"], twilio["auth_token"]).update_voice(
            twilio["phone_number_sid"], voice_url=voice_url, voice_method=voice_method
        )
        return world

    return make
