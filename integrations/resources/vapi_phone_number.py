"""Vapi BYO phone number: the SIP URI user on the credential, linked to the assistant."""

from __future__ import annotations

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.vendors.errors import NotFound
from integrations.vendors.vapi import PhoneNumber


class VapiPhoneNumber(ResourceType):
    """`POST /phone-number` with provider byo-phone-number and the E.164 check off."""

    type_name = "vapi.phone_number"
    account_kind = "vapi"
    name_max_length = 40

    def _find(self, ctx: NodeContext) -> PhoneNumber | None:
        vapi = ctx.clients.vapi
        if ctx.external_id:
            try:
                return vapi.get_phone_number(ctx.external_id)
            except NotFound:
                return None
        matches = [p for p in vapi.list_phone_numbers() if p.name == ctx.external_name]
        return matches[0] if matches else None

    def observe(self, ctx: NodeContext) -> Observation:
        number = self._find(ctx)
        if number is None:
            return Observation(exists=False)
        observed = {
            "number": number.number,
            "credential_id": number.credential_id,
            "assistant_id": number.assistant_id,
        }
        diff = spec_diff(ctx.spec, observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            external_id=number.id,
            outputs={"id": number.id, "number": number.number, "status": number.status},
        )

    def create(self, ctx: NodeContext) -> str:
        spec = ctx.spec
        return ctx.clients.vapi.create_phone_number(
            ctx.external_name, spec["number"], spec["credential_id"], spec["assistant_id"]
        ).id

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        spec = ctx.spec
        ctx.clients.vapi.update_phone_number(
            ctx.external_id,
            number=spec["number"],
            credential_id=spec["credential_id"],
            assistant_id=spec["assistant_id"],
        )

    def delete(self, ctx: NodeContext) -> None:
        try:
            ctx.clients.vapi.delete_phone_number(ctx.external_id)
        except NotFound:
            return
