"""Fixtures of the monitoring tests: the sandbox (session-wide) and the Twilio webhook world."""

from integrations.tests.twilio_webhook_world import webhook_world_fixture  # noqa: F401
from sandbox.tests.conftest import sandbox_server, sandbox_url  # noqa: F401
