"""Vapi BYO SIP-trunk credential whose inbound gateways are the Voice Connector's signalling IPs."""

from __future__ import annotations

from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.vendors.errors import NotFound
from integrations.vendors.vapi import Credential, Gateway


def _gateways(spec_gateways: list[dict[str, Any]]) -> list[Gateway]:
    return [
        Gateway(
            ip=g["ip"],
            netmask=int(g.get("netmask", 32)),
            port=int(g.get("port", 5060)),
            inbound_enabled=bool(g.get("inbound_enabled", True)),
            outbound_enabled=bool(g.get("outbound_enabled", False)),
        )
        for g in spec_gateways
    ]


def _as_spec(credential: Credential) -> dict[str, Any]:
    gateways = sorted(
        (
            {
                "ip": g.ip,
                "netmask": g.netmask,
                "port": g.port,
                "inbound_enabled": g.inbound_enabled,
                "outbound_enabled": g.outbound_enabled,
            }
            for g in credential.gateways
        ),
        key=lambda g: (g["ip"], g["netmask"]),
    )
    return {"gateways": gateways}


class VapiCredential(ResourceType):
    """`POST /credential` with provider byo-sip-trunk; outputs its id and inbound SIP host."""

    type_name = "vapi.credential"
    account_kind = "vapi"
    name_max_length = 40  # PROVIDERS.md §2.2

    def _find(self, ctx: NodeContext) -> Credential | None:
        vapi = ctx.clients.vapi
        if ctx.external_id:
            try:
                return vapi.get_credential(ctx.external_id)
            except NotFound:
                return None
        matches = [c for c in vapi.list_credentials() if c.name == ctx.external_name]
        return matches[0] if matches else None

    def observe(self, ctx: NodeContext) -> Observation:
        credential = self._find(ctx)
        if credential is None:
            return Observation(exists=False)
        desired = {"gateways": sorted(ctx.spec["gateways"], key=lambda g: (g["ip"], g.get("netmask", 32)))}
        diff = spec_diff(desired, _as_spec(credential))
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            external_id=credential.id,
            outputs={"id": credential.id, "sip_host": ctx.clients.vapi.sip_host(credential.id)},
        )

    def create(self, ctx: NodeContext) -> str:
        return ctx.clients.vapi.create_credential(ctx.external_name, _gateways(ctx.spec["gateways"])).id

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        ctx.clients.vapi.update_gateways(ctx.external_id, _gateways(ctx.spec["gateways"]))

    def delete(self, ctx: NodeContext) -> None:
        try:
            ctx.clients.vapi.delete_credential(ctx.external_id)
        except NotFound:
            return
