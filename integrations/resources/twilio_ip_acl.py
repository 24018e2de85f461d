"""`twilio.ip_access_control_list`: a Twilio IP Access Control List and its entries
(twilio.com/docs/voice/sip/api/sip-ipaccesscontrollist-resource, .../sip-ipaddress-resource).

Spec keys:

- `cidrs`: the IPv4 networks the list lets in (`a.b.c.d/nn`), sorted; for twilio_synthflow these are
  Synthflow's signalling addresses of the workspace's region (PROVIDERS.md §1.9).

The list is named by the node's deterministic external name (Twilio's FriendlyName, which Twilio does
not keep unique): a create whose answer was lost is found by that name and adopted. Entries added or
removed by hand are drift: the next reconcile adds what is missing and removes what is not in the spec.
Deleted on teardown after the domain that maps it (Twilio refuses to delete a list still mapped).

Outputs: `sid`, `friendly_name`, `cidrs`.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.adoption import converge
from integrations.vendors.errors import NotFound
from integrations.vendors.twilio import TwilioClient
from integrations.vendors.twilio_sip import AclAddress, IpAcl


def normalized(cidr: str) -> str:
    """`a.b.c.d/nn` as Twilio stores it (a bare address is a /32)."""
    return str(ipaddress.IPv4Network(cidr, strict=False))


def _entry(address: AclAddress) -> str:
    return normalized(address.cidr)


class TwilioIpAcl(ResourceType):
    """One IP ACL with its entries; the external id is the list's SID (AL...)."""

    type_name = "twilio.ip_access_control_list"
    account_kind = "twilio"
    name_max_length = 64  # FriendlyName takes 255; the external names stay short everywhere

    def _find(self, ctx: NodeContext) -> IpAcl | None:
        client: TwilioClient = ctx.clients.twilio
        if ctx.external_id:
            try:
                return client.get_acl(ctx.external_id)
            except NotFound:
                return None
        return client.find_acl(ctx.external_name)

    def observe(self, ctx: NodeContext) -> Observation:
        acl = self._find(ctx)
        if acl is None:
            return Observation(exists=False)
        cidrs = sorted({_entry(a) for a in ctx.clients.twilio.list_acl_addresses(acl.sid)})
        diff = spec_diff(self._desired(ctx), {"cidrs": cidrs})
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            external_id=acl.sid,
            outputs={"sid": acl.sid, "friendly_name": acl.friendly_name, "cidrs": cidrs},
        )

    @staticmethod
    def _desired(ctx: NodeContext) -> dict[str, Any]:
        return {"cidrs": sorted({normalized(c) for c in ctx.spec["cidrs"]})}

    def create(self, ctx: NodeContext) -> str:
        """Create the list and its entries; a list of our name already there (a lost answer) is adopted."""
        client: TwilioClient = ctx.clients.twilio
        existing = client.find_acl(ctx.external_name)
        if existing is not None:
            return converge(self, ctx, existing.sid)
        acl = client.create_acl(ctx.external_name)
        self._sync(ctx, acl.sid)
        return acl.sid

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Add missing entries and remove ones not in the spec (someone edited the list)."""
        acl = self._find(ctx)
        if acl is None:
            raise NotFound(f"IP access control list {ctx.external_name} is gone", vendor="twilio")
        self._sync(ctx, acl.sid)

    def _sync(self, ctx: NodeContext, acl_sid: str) -> None:
        client: TwilioClient = ctx.clients.twilio
        wanted = self._desired(ctx)["cidrs"]
        present: dict[str, AclAddress] = {}
        for address in client.list_acl_addresses(acl_sid):
            entry = _entry(address)
            if entry not in wanted or entry in present:
                client.delete_acl_address(acl_sid, address.sid)
            else:
                present[entry] = address
        for cidr in wanted:
            if cidr not in present:
                network = ipaddress.IPv4Network(cidr)
                client.add_acl_address(acl_sid, cidr, str(network.network_address), network.prefixlen)

    def delete(self, ctx: NodeContext) -> None:
        """Delete the list (its entries go with it); a list already gone is done."""
        acl = self._find(ctx)
        if acl is None:
            return
        try:
            ctx.clients.twilio.delete_acl(acl.sid)
        except NotFound:
            return
