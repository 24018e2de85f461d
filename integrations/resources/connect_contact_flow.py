"""`aws.connect_contact_flow`: the Amazon Connect flow that sends callers on to the voice agent."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from integrations.contact_flows import owned_content
from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.adoption import converge
from integrations.vendors.aws import AwsSession
from integrations.vendors.errors import Conflict, InvalidSpec, NotFound


def _content(flow: dict[str, Any]) -> Any:
    """A flow's content parsed from the JSON string Connect keeps (unparseable text compares as text)."""
    text = flow.get("Content") or ""
    try:
        return json.loads(text)
    except ValueError:
        return text


class ConnectContactFlow(ResourceType):
    """A contact flow named by its external name; outputs its id and ARN."""

    type_name = "aws.connect_contact_flow"
    account_kind = "aws"
    name_max_length = 127  # Connect's console and API limit for flow names

    def _find_id(self, aws: AwsSession, ctx: NodeContext) -> str | None:
        """The flow's id: the saved one, else the flow of our name in the instance."""
        if ctx.external_id:
            return ctx.external_id
        try:
            summaries = aws.paginate(
                "connect",
                "list_contact_flows",
                "ContactFlowSummaryList",
                InstanceId=ctx.spec["instance_id"],
                ContactFlowTypes=[ctx.spec["type"]],
            )
        except NotFound:
            return None
        return next((s["Id"] for s in summaries if s.get("Name") == ctx.external_name), None)

    def _describe(self, aws: AwsSession, ctx: NodeContext) -> dict[str, Any] | None:
        flow_id = self._find_id(aws, ctx)
        if not flow_id:
            return None
        try:
            flow = aws.call(
                "connect", "describe_contact_flow", InstanceId=ctx.spec["instance_id"], ContactFlowId=flow_id
            )["ContactFlow"]
        except NotFound:
            return None
        # An archived flow is Connect's idea of a deleted one (it keeps its name taken).
        return None if flow.get("State") == "ARCHIVED" else flow

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the flow and compare what Patchbay owns of its content, its type and description.

        Connect rewrites a flow on save (contact_flows.owned_content), so its whole content never
        equals what was sent: only the owned part is compared.
        """
        aws: AwsSession = ctx.clients.aws
        flow = self._describe(aws, ctx)
        if flow is None:
            return Observation(exists=False)
        observed = {
            "instance_id": ctx.spec["instance_id"],
            "type": flow.get("Type"),
            "description": flow.get("Description") or "",
            "content": owned_content(_content(flow)),
        }
        desired = {
            **ctx.spec,
            "description": ctx.spec.get("description") or "",
            "content": owned_content(ctx.spec["content"]),
        }
        diff = spec_diff(desired, observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={"id": flow["Id"], "arn": flow["Arn"]},
            external_id=flow["Id"],
        )

    def create(self, ctx: NodeContext) -> str:
        """Create the flow; a flow of our name already there (DuplicateResourceException) is adopted."""
        aws: AwsSession = ctx.clients.aws
        spec = ctx.spec
        try:
            answer = aws.call(
                "connect",
                "create_contact_flow",
                create=True,
                InstanceId=spec["instance_id"],
                Name=ctx.external_name,
                Type=spec["type"],
                Description=spec.get("description") or "",
                Content=json.dumps(spec["content"]),
            )
        except Conflict:
            flow = self._describe(aws, ctx)
            if flow is None:
                raise
            return converge(self, ctx, flow["Id"])
        return answer["ContactFlowId"]

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Put the spec's content and description back; a flow's type cannot change."""
        aws: AwsSession = ctx.clients.aws
        spec = ctx.spec
        if "type" in diff:
            raise InvalidSpec(
                f"flow {ctx.external_name} is of type {diff['type'][0]}: Connect cannot change a flow's type",
                vendor="aws",
                field="type",
            )
        flow_id = self._find_id(aws, ctx)
        if "content" in diff:
            aws.call(
                "connect",
                "update_contact_flow_content",
                InstanceId=spec["instance_id"],
                ContactFlowId=flow_id,
                Content=json.dumps(spec["content"]),
            )
        if "description" in diff:
            aws.call(
                "connect",
                "update_contact_flow_metadata",
                InstanceId=spec["instance_id"],
                ContactFlowId=flow_id,
                Description=spec.get("description") or "",
            )

    def delete(self, ctx: NodeContext) -> None:
        """Delete the flow; already gone is done."""
        aws: AwsSession = ctx.clients.aws
        flow_id = self._find_id(aws, ctx)
        if not flow_id:
            return
        with contextlib.suppress(NotFound):
            aws.call(
                "connect", "delete_contact_flow", InstanceId=ctx.spec["instance_id"], ContactFlowId=flow_id
            )
