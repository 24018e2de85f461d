"""What the Chime SDK Voice resource tests share: specs, a created Voice Connector, an admin's view.

A module takes the fixtures by name (`connector = chime_fixtures.connector`, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from integrations.tests.resource_harness import Node

CONNECTOR = {"aws_region": "us-east-1", "require_encryption": False}
SMA_NUMBER = {"product_type": "SipMediaApplicationDialIn", "area_code": "503"}
TRUNK_NUMBER = {"product_type": "VoiceConnector", "area_code": "971"}


def vapi_route(host: str, priority: int = 1) -> dict[str, Any]:
    return {"Host": host, "Port": 5060, "Protocol": "UDP", "Priority": priority, "Weight": 1}


@pytest.fixture
def connector(make_node: Callable[..., Node]) -> Node:
    """A created Voice Connector."""
    node = make_node("chime.voice_connector", "pb-t-i-vc", dict(CONNECTOR))
    node.create()
    return node


@pytest.fixture
def chime(aws_client: Callable[..., Any]) -> Any:
    """A plain boto3 Chime SDK Voice client on the sandbox: what an admin would look at."""
    return aws_client("chime-sdk-voice")
