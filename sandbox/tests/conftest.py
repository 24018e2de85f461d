"""Fixtures of the sandbox's tests: a Connect instance of moto's and a Lambda associated with it; a
chime-sdk-voice client and a voice connector (the Chime contract tests, test_chime_contract*.py).

The sandbox itself (`sandbox_server`, `sandbox_url`, `aws_client`) is the test kit's
(testing/plugins/sandbox.py), registered for every app's tests by the root conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.tests.aws_factories import create_lambda


@pytest.fixture
def connect(sandbox_url: str, aws_client: Callable[..., Any]) -> Any:
    """A boto3 Connect client on the (freshly reset) sandbox."""
    return aws_client("connect", region="us-east-1")


@pytest.fixture
def instance_id(connect: Any) -> str:
    """A Connect instance: moto serves the instance itself; the stand-in serves what hangs off it."""
    return connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias="pb-test",
        InboundCallsEnabled=True,
        OutboundCallsEnabled=True,
    )["Id"]


@pytest.fixture
def lambda_arn(aws_client: Callable[..., Any], connect: Any, instance_id: str) -> str:
    """A Lambda function associated with the instance."""
    arn = create_lambda(aws_client, "pb-t1-i1-connect-handler", "us-east-1")
    connect.associate_lambda_function(InstanceId=instance_id, FunctionArn=arn)
    return arn


@pytest.fixture
def chime(sandbox_url: str, aws_client: Callable[..., Any]) -> Any:
    """A boto3 chime-sdk-voice client (us-west-2) on the (freshly reset) sandbox."""
    return aws_client("chime-sdk-voice", region="us-west-2")


@pytest.fixture
def connector(chime: Any) -> dict[str, Any]:
    """A voice connector in us-west-2, as CreateVoiceConnector answers it."""
    return chime.create_voice_connector(Name="pb-t1-i1-vc", RequireEncryption=False, AwsRegion="us-west-2")[
        "VoiceConnector"
    ]
