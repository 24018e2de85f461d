"""A connect_vapi integration whose connector and SMA Lambda log into the sandbox's CloudWatch Logs.

`connector_logs` (a fixture in calls/tests/conftest.py) gives a `ConnectorLogs`: the
integration (with the ResourceNode outputs the engine would have saved) and
writers that put events into its two log groups as Chime and Lambda do.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from django.utils import timezone

from calls.tests.sip_samples import CONNECTOR_IP
from integrations.aws_permissions import permission_policy
from integrations.models import Integration, ResourceNode
from integrations.tests.factories import IntegrationFactory, ProviderAccountFactory

CONNECTOR_ID = "abcdef1234567890abcdef"
CONNECTOR_HOST = f"{CONNECTOR_ID}.voiceconnector.chime.aws"
SMA_FUNCTION = "pb-acme-vapi-sma-lambda"
SIP_GROUP = f"/aws/ChimeVoiceConnectorSipMessages/{CONNECTOR_ID}"
LAMBDA_GROUP = f"/aws/lambda/{SMA_FUNCTION}"


@dataclass
class ConnectorLogs:
    """A connect_vapi integration on a sandbox AWS account, and writers for its two log groups."""

    integration: Integration
    logs: Any
    now_ms: int

    def write_sip(
        self, chime_call_id: str, texts: list[str], start_ms: int | None = None, stream: str = "s"
    ) -> None:
        start = self.now_ms - 60_000 if start_ms is None else start_ms
        events = [
            {
                "timestamp": start + 90 * index,
                "message": json.dumps(
                    {
                        "voice_connector_id": CONNECTOR_ID,
                        "aws_region": "us-east-1",
                        "event_timestamp": start + 90 * index,
                        "call_id": chime_call_id,
                        "sip_message": text,
                    }
                ),
            }
            for index, text in enumerate(texts)
        ]
        self._put(SIP_GROUP, stream, events)

    def write_lambda(self, line: dict[str, Any], at_ms: int) -> None:
        self._put(
            LAMBDA_GROUP,
            "2026/11/23/[$LATEST]abc",
            [{"timestamp": at_ms, "message": json.dumps(line) + "\n"}],
        )

    def _put(self, group: str, stream: str, events: list[dict[str, Any]]) -> None:
        if not self.logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
            self.logs.create_log_group(logGroupName=group)
        if not self.logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=stream)["logStreams"]:
            self.logs.create_log_stream(logGroupName=group, logStreamName=stream)
        self.logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def build_connector_logs(sandbox_url: str, aws_client: Callable[..., Any]) -> ConnectorLogs:
    """The integration on a fresh sandbox AWS account (settings and credentials set by the caller)."""
    external_id = f"pb-test-{uuid.uuid4().hex[:12]}"
    body = {"vendor": "aws", "external_id": external_id, "permission_policy": permission_policy()}
    created = httpx.post(f"{sandbox_url}/_sandbox/accounts", json=body, timeout=30).json()
    integration = IntegrationFactory(kind="connect_vapi")
    aws = ProviderAccountFactory(
        tenant=integration.tenant,
        kind="aws",
        settings={"role_arn": created["role_arn"], "region": created["region"]},
        external_id=external_id,
    )
    integration.aws_account = aws
    integration.save()
    for node, outputs in {
        "voice_connector": {"id": CONNECTOR_ID, "host": CONNECTOR_HOST, "region": "us-east-1"},
        "connector_ips": {"ips": [CONNECTOR_IP]},
        "sma_lambda": {"name": SMA_FUNCTION, "arn": f"arn:aws:lambda:us-east-1:1:function:{SMA_FUNCTION}"},
    }.items():
        ResourceNode.objects.create(
            tenant=integration.tenant,
            integration=integration,
            node=node,
            type="t",
            external_id=str(outputs.get("id") or outputs.get("name") or ""),
            outputs=outputs,
        )
    # The customer's logs, as Chime and Lambda write them (here: straight into the sandbox's account).
    logs = aws_client("logs", region=created["region"])
    return ConnectorLogs(integration=integration, logs=logs, now_ms=int(timezone.now().timestamp() * 1000))


def sma_answer(transaction_id: str, leg_call_id: str, headers: dict[str, str]) -> dict[str, Any]:
    """The SMA handler's log line for a NEW_INBOUND_CALL it bridged with `headers`."""
    return {
        "event": "sma_handler.answer",
        "invocation": "NEW_INBOUND_CALL",
        "sequence": 1,
        "transaction_id": transaction_id,
        "legs": [{"call_id": leg_call_id, "leg": "LEG-A", "status": "Connected"}],
        "actions": ["CallAndBridge"],
        "sip_headers": headers,
    }
