"""The base of a Voice Connector's singleton settings: termination, origination and logging.

Each is one per connector, put whole (a put replaces it, so repeating one is safe) and never named:
its external id is the connector's id (AWS.md §1.2). What differs is what is put and how it is
removed (Chime has no delete for logging: it is turned off); the rest is here once.
"""

from __future__ import annotations

import contextlib

from integrations.engine.types import Diff, NodeContext, ResourceType, contains_unknown
from integrations.vendors.errors import NotFound


class ConnectorSetting(ResourceType):
    """A setting of one Voice Connector; subclasses say what `put` and `remove` send."""

    account_kind = "aws"
    name_max_length = 256  # a singleton of the connector: nothing is named

    def connector_id(self, ctx: NodeContext) -> str:
        """The connector the setting is on: the one recorded, else the spec's once it is known."""
        wanted = ctx.spec.get("voice_connector_id", "")
        return ctx.external_id or ("" if contains_unknown(wanted) else wanted)

    def put(self, ctx: NodeContext, connector_id: str, diff: Diff | None) -> None:
        """Put the spec's setting on the connector (`diff` None: all of it)."""
        raise NotImplementedError

    def remove(self, ctx: NodeContext, connector_id: str) -> None:
        """Take the setting off the connector."""
        raise NotImplementedError

    def create(self, ctx: NodeContext) -> str:
        """Put the whole setting; the external id is the connector's."""
        connector_id = str(ctx.spec["voice_connector_id"])
        self.put(ctx, connector_id, None)
        return connector_id

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Put what differs; moved to another connector, the old one is left with nothing."""
        if ctx.external_id and ctx.external_id != ctx.spec["voice_connector_id"]:
            self.delete(ctx)
            diff = {}
        connector_id = str(ctx.spec["voice_connector_id"])
        self.put(ctx, connector_id, diff or None)
        ctx.external_id = connector_id

    def delete(self, ctx: NodeContext) -> None:
        """Remove the setting; never put, or no connector (any more), is done."""
        connector_id = self.connector_id(ctx)
        if not connector_id:
            return
        with contextlib.suppress(NotFound):
            self.remove(ctx, connector_id)
