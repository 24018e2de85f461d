"""`chime.phone_number_association`: a Chime number riding a Voice Connector (Connect → Synthflow)."""

from __future__ import annotations

from integrations.engine.types import (
    Diff,
    NodeContext,
    Observation,
    ResourceType,
    contains_unknown,
    spec_diff,
)
from integrations.vendors.aws.chime_numbers import ChimeNumbers


def association_id(connector_id: str, e164: str) -> str:
    """The external id of an association: `<connector id>:<E.164>`."""
    return f"{connector_id}:{e164}"


class PhoneNumberAssociation(ResourceType):
    """A number associated with a connector; the external id is `<connector id>:<E.164>`."""

    type_name = "chime.phone_number_association"
    account_kind = "aws"
    name_max_length = 256  # nothing is named; kept at Chime's name limit

    def _current(self, ctx: NodeContext) -> tuple[str, str] | None:
        """The (connector, number) pair this node stands for now: the saved one, else the spec's."""
        if ctx.external_id and ":" in ctx.external_id:
            connector_id, e164 = ctx.external_id.split(":", 1)
            return connector_id, e164
        pair = (ctx.spec["voice_connector_id"], ctx.spec["e164"])
        return None if contains_unknown(pair) else pair

    def observe(self, ctx: NodeContext) -> Observation:
        """Whether the number's associations contain the connector."""
        current = self._current(ctx)
        if current is None:
            return Observation(exists=False)
        connector_id, e164 = current
        number = ChimeNumbers(ctx.clients.aws).phone_number(e164)
        if number is None or number.voice_connector_id != connector_id:
            return Observation(exists=False)
        diff = spec_diff(ctx.spec, {"voice_connector_id": connector_id, "e164": e164})
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={"voice_connector_id": connector_id, "e164": e164},
            external_id=association_id(connector_id, e164),
        )

    def _associate(self, ctx: NodeContext, *, create: bool) -> str:
        connector_id, e164 = ctx.spec["voice_connector_id"], ctx.spec["e164"]
        ChimeNumbers(ctx.clients.aws).associate(connector_id, [e164], create=create)
        return association_id(connector_id, e164)

    def create(self, ctx: NodeContext) -> str:
        """Associate the number with the connector (associating it again is harmless)."""
        return self._associate(ctx, create=True)

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Move the association: off the old connector or number, onto the spec's."""
        current = self._current(ctx)
        if current is not None:
            ChimeNumbers(ctx.clients.aws).disassociate(current[0], [current[1]])
        ctx.external_id = self._associate(ctx, create=False)

    def delete(self, ctx: NodeContext) -> None:
        """Disassociate; a number not on the connector (or gone) is done."""
        seen = self.observe(ctx)
        if not seen.exists:
            return
        connector_id, e164 = seen.external_id.split(":", 1)
        ChimeNumbers(ctx.clients.aws).disassociate(connector_id, [e164])
