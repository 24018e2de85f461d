"""`aws.connect_contact_flow`: the Amazon Connect flow that sends callers on to the voice agent."""

from __future__ import annotations

import json
from typing import Any

from integrations.contact_flows import owned_content
from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.adoption import converge
from integrations.vendors.aws.connect import Connect, ContactFlow
from integrations.vendors.errors import Conflict, InvalidSpec, NotFound


def _content(flow: ContactFlow) -> Any:
    """A flow's content parsed from the JSON string Connect keeps (unparseable text compares as text)."""
    try:
        return json.loads(flow.content)
    except ValueError:
        return flow.content


class ConnectContactFlow(ResourceType):
    """A contact flow named by its external name; outputs its id and ARN."""

    type_name = "aws.connect_contact_flow"
    account_kind = "aws"
    name_max_length = 127  # Connect's console and API limit for flow names

    def _find_id(self, connect: Connect, ctx: NodeContext) -> str | None:
        """The flow's id: the saved one, else the flow of our name in the instance."""
        if ctx.external_id:
            return ctx.external_id
        return connect.contact_flow_id(ctx.spec["instance_id"], ctx.spec["type"], ctx.external_name)

    def _describe(self, connect: Connect, ctx: NodeContext) -> ContactFlow | None:
        flow_id = self._find_id(connect, ctx)
        if not flow_id:
            return None
        flow = connect.contact_flow(ctx.spec["instance_id"], flow_id)
        # An archived flow is Connect's idea of a deleted one (it keeps its name taken).
        return None if flow is None or flow.archived else flow

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the flow and compare what Patchbay owns of its content, its type and description.

        Connect rewrites a flow on save (contact_flows.owned_content), so its whole content never
        equals what was sent: only the owned part is compared.
        """
        flow = self._describe(Connect(ctx.clients.aws), ctx)
        if flow is None:
            return Observation(exists=False)
        observed = {
            "instance_id": ctx.spec["instance_id"],
            "type": flow.type,
            "description": flow.description,
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
            outputs={"id": flow.id, "arn": flow.arn},
            external_id=flow.id,
        )

    def create(self, ctx: NodeContext) -> str:
        """Create the flow; a flow of our name already there (DuplicateResourceException) is adopted."""
        connect = Connect(ctx.clients.aws)
        spec = ctx.spec
        try:
            return connect.create_contact_flow(
                spec["instance_id"],
                ctx.external_name,
                spec["type"],
                description=spec.get("description") or "",
                content=json.dumps(spec["content"]),
            )
        except Conflict:
            flow = self._describe(connect, ctx)
            if flow is None:
                raise
            return converge(self, ctx, flow.id)

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Put the spec's content and description back; a flow's type cannot change."""
        spec = ctx.spec
        if "type" in diff:
            raise InvalidSpec(
                f"flow {ctx.external_name} is of type {diff['type'][0]}: Connect cannot change a flow's type",
                vendor="aws",
                field="type",
            )
        connect = Connect(ctx.clients.aws)
        flow_id = self._find_id(connect, ctx)
        if not flow_id:
            # Deleted since it was observed (before, the request went out without an id and botocore
            # refused it, equally not retryable): the next run's observe finds it gone.
            raise NotFound(f"flow {ctx.external_name} is no longer in the instance", vendor="aws")
        if "content" in diff:
            connect.update_contact_flow_content(spec["instance_id"], flow_id, json.dumps(spec["content"]))
        if "description" in diff:
            connect.update_contact_flow_description(
                spec["instance_id"], flow_id, spec.get("description") or ""
            )

    def delete(self, ctx: NodeContext) -> None:
        """Delete the flow; already gone is done."""
        connect = Connect(ctx.clients.aws)
        flow_id = self._find_id(connect, ctx)
        if flow_id:
            connect.delete_contact_flow(ctx.spec["instance_id"], flow_id)
