"""`chime.connector_phone_number`: a connector's DID, ordered by area code or the customer's own.

Spec: `{"product_type": "VoiceConnector", "area_code": "503"}` orders a number
exactly as `chime.phone_number` does (and releases it on teardown), or
`{"product_type": "VoiceConnector", "e164": "+1...", "existing": true}` uses a
number the AWS account already has: nothing is ordered, and teardown leaves
the number in the account (only its association with the connector, a node of
its own, is removed).

Outputs: `e164`, `phone_number_id`, `status`.
"""

from __future__ import annotations

from integrations.engine.types import Diff, NodeContext, Observation
from integrations.resources.chime_phone_number import GONE, PhoneNumber
from integrations.vendors.aws.chime_numbers import ChimeNumbers
from integrations.vendors.errors import InvalidSpec


class ConnectorPhoneNumber(PhoneNumber):
    """A Chime number for a connector; the external id is its E.164 form."""

    type_name = "chime.connector_phone_number"

    @staticmethod
    def _existing(ctx: NodeContext) -> bool:
        return bool(ctx.spec.get("existing"))

    def observe(self, ctx: NodeContext) -> Observation:
        if not self._existing(ctx):
            return super().observe(ctx)
        number = ChimeNumbers(ctx.clients.aws).phone_number(ctx.spec["e164"])
        if number is None or number.status in GONE:
            return Observation(exists=False)
        return Observation(
            exists=True,
            outputs={"e164": number.e164, "phone_number_id": number.phone_number_id, "status": number.status},
            external_id=number.e164,
        )

    def create(self, ctx: NodeContext) -> str:
        if not self._existing(ctx):
            return super().create(ctx)
        e164 = ctx.spec["e164"]
        number = ChimeNumbers(ctx.clients.aws).phone_number(e164)
        if number is None or number.status in GONE:
            raise InvalidSpec(
                f"{e164} is not a phone number of this AWS account (Chime SDK phone number management)",
                vendor="aws",
                field="phone_number",
            )
        return e164

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        if not self._existing(ctx):
            super().update(ctx, diff)

    def delete(self, ctx: NodeContext) -> None:
        if not self._existing(ctx):
            super().delete(ctx)
