"""Fixtures of the sandbox's tests: a Connect instance of moto's and a Lambda associated with it.

The sandbox itself (`sandbox_server`, `sandbox_url`, `aws_client`) is the test kit's
(testing/plugins/sandbox.py), registered for every app's tests by the root conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.tests.aws_factories import create_lambda


def __getattr__(name: str) -> Any:
    """`from sandbox.tests.conftest import sandbox_url`, as integrations/diagnostics/tests/conftest.py still
    does: the kit's fixture. A module attribute lookup, not a name pytest collects here, so the sandbox's
    tests keep the one session-wide sandbox."""
    if name in {"aws_client", "sandbox_server", "sandbox_url", "synthflow_refusal_expected"}:
        from testing.plugins import sandbox

        return getattr(sandbox, name)
    raise AttributeError(name)


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
