"""`twilio.sip_domain`: a Twilio SIP Domain, its voice URLs, and the IP ACLs mapped for its calls
(twilio.com/docs/voice/sip/api/sip-domain-resource, .../sip-auth-calls-ipaccesscontrollistmapping).

Spec keys:

- `domain_name`: `<name>.sip.twilio.com`, deterministic per integration (unique across Twilio);
- `voice_url`, `voice_method`, `voice_fallback_url`, `voice_fallback_method`: where Twilio asks what to
  do with a call to the domain (Patchbay's signed warm-transfer webhook);
- `acl_sids`: the IP ACLs mapped for calls. Twilio takes no call on a domain without an auth mapping,
  and only calls from an address of a mapped list.

Found by `domain_name` when a create's answer was lost (adopted). The URLs or mappings edited by hand
are drift, healed by the next reconcile. The domain's FriendlyName is the node's external name.
Deleted on teardown (its mappings go with it), before the lists it maps.

Outputs: `sid`, `domain_name`, `voice_url`.
"""

from __future__ import annotations

from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.adoption import converge
from integrations.vendors.errors import NotFound
from integrations.vendors.twilio import TwilioClient
from integrations.vendors.twilio_sip import SipDomain

#: spec key → Twilio's parameter for the domain's own fields
PARAMETERS = {
    "voice_url": "VoiceUrl",
    "voice_method": "VoiceMethod",
    "voice_fallback_url": "VoiceFallbackUrl",
    "voice_fallback_method": "VoiceFallbackMethod",
}


def _observed(domain: SipDomain, mapped: list[str]) -> dict[str, Any]:
    return {
        "domain_name": domain.domain_name,
        "voice_url": domain.voice_url,
        "voice_method": domain.voice_method,
        "voice_fallback_url": domain.voice_fallback_url,
        "voice_fallback_method": domain.voice_fallback_method,
        "acl_sids": sorted(mapped),
    }


class TwilioSipDomain(ResourceType):
    """One SIP Domain with its calls ACL mappings; the external id is the domain's SID (SD...)."""

    type_name = "twilio.sip_domain"
    account_kind = "twilio"
    name_max_length = 64  # the domain's FriendlyName: "up to 64 characters"

    def _find(self, ctx: NodeContext) -> SipDomain | None:
        client: TwilioClient = ctx.clients.twilio
        if ctx.external_id:
            try:
                return client.get_domain(ctx.external_id)
            except NotFound:
                return None
        return client.find_domain(ctx.spec["domain_name"])

    @staticmethod
    def _desired(ctx: NodeContext) -> dict[str, Any]:
        spec = dict(ctx.spec)
        spec["domain_name"] = str(spec["domain_name"]).lower()
        if isinstance(spec.get("acl_sids"), list):
            spec["acl_sids"] = sorted(spec["acl_sids"])
        return spec

    def observe(self, ctx: NodeContext) -> Observation:
        domain = self._find(ctx)
        if domain is None:
            return Observation(exists=False)
        mapped = ctx.clients.twilio.list_call_acl_mappings(domain.sid)
        diff = spec_diff(self._desired(ctx), _observed(domain, mapped))
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            external_id=domain.sid,
            outputs={"sid": domain.sid, "domain_name": domain.domain_name, "voice_url": domain.voice_url},
        )

    def _fields(self, ctx: NodeContext) -> dict[str, str]:
        return {
            "FriendlyName": ctx.external_name,
            **{param: str(ctx.spec[key]) for key, param in PARAMETERS.items() if key in ctx.spec},
        }

    def create(self, ctx: NodeContext) -> str:
        """Create the domain and map its ACLs; our own domain already there (a lost answer) is adopted."""
        client: TwilioClient = ctx.clients.twilio
        existing = client.find_domain(ctx.spec["domain_name"])
        if existing is not None:
            return converge(self, ctx, existing.sid)
        domain = client.create_domain(str(ctx.spec["domain_name"]).lower(), **self._fields(ctx))
        self._map(ctx, domain.sid)
        return domain.sid

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Point the voice URLs back and restore the mappings (someone edited the domain)."""
        domain = self._find(ctx)
        if domain is None:
            raise NotFound(f"SIP domain {ctx.spec['domain_name']} is gone", vendor="twilio")
        if set(diff) & (set(PARAMETERS) | {"domain_name"}):
            fields = self._fields(ctx)
            if "domain_name" in diff:
                fields["DomainName"] = str(ctx.spec["domain_name"]).lower()
            ctx.clients.twilio.update_domain(domain.sid, **fields)
        self._map(ctx, domain.sid)

    def _map(self, ctx: NodeContext, domain_sid: str) -> None:
        client: TwilioClient = ctx.clients.twilio
        wanted = set(ctx.spec.get("acl_sids") or [])
        mapped = set(client.list_call_acl_mappings(domain_sid))
        for acl_sid in sorted(mapped - wanted):
            client.unmap_call_acl(domain_sid, acl_sid)
        for acl_sid in sorted(wanted - mapped):
            client.map_call_acl(domain_sid, acl_sid)

    def delete(self, ctx: NodeContext) -> None:
        """Delete the domain; one already gone is done."""
        domain = self._find(ctx)
        if domain is None:
            return
        try:
            ctx.clients.twilio.delete_domain(domain.sid)
        except NotFound:
            return
