"""`genesys.trunk`: a BYOC Cloud external trunk (trunk base settings) that carries calls to a SIP carrier.

PROVIDERS.md §4.2. The property keys are discovered from the template endpoint
(`.../trunkbasesettings/template?trunkMetabaseId=external_sip_pcv_byoc_carrier.json`)
and only the ones Patchbay owns are filled; every other key keeps what the
template (on create) or the trunk (on update) has, because a PUT replaces them all.

Spec keys:

- `site_id`: the BYOC Cloud site the trunk belongs to (`inboundSite`, required for BYOC);
- `identifier`: the Inbound SIP Termination Identifier (`trunk_sip_termination_uri`): the carrier
  calls `<identifier>.byoc.<region domain>`;
- `outbound_fqdn`: the Outbound SIP Termination FQDN, the Request-URI host of the INVITEs the trunk
  sends (seed 004 sets Synthflow's SIP host). No public source names its property key:
  `trunk_sip_termination_outbound_fqdn` is the sandbox's (UNCONFIRMED); a template without it
  fails the apply with InvalidSpec naming the key, never silently;
- `servers`: the outbound server list, `host:port` strings (`trunk_transport_serverProxyList`);
- `transport`: `udp|tcp|tls` (`trunk_transport_protocolVariant`);
- `allow_list`: CIDRs allowed to send calls in (`trunk_access_acl_allowList`); an allow-all entry
  (`0.0.0.0/0`) is refused here, never sent;
- `credentials` (sensitive): `{realm, username, password}` digest credentials;
- `caller_id_name`, `caller_id_address`: outbound caller ID (`trunk_outboundIdentity_*`); an empty
  address is never sent (the key is left out): an empty calling address presents no caller ID.

The site must be one of the customer's own (a Genesys-managed site is refused, InvalidSpec). The
trunk's BYOC FQDN is `<identifier>.byoc.<env>` on a classic org and `<identifier>.byoc.<short
region>.genesys.cloud` on the Dynamic Cloud Voice platform, whose trunks carry
`trunk_routing_outbound_higher_capacity: true` (PROVIDERS.md §4.2): read from the trunk, never set.

Genesys never shows the digest password back (write-only), so a changed password is noticed
by a keyed digest of what Patchbay last sent, kept in the node's intent. DELETE is soft: the
trunk turns `state: deleted` and disappears later; teardown polls until it says so.

Outputs: `id`, `name`, `identifier`, `fqdn`, `dynamic_cloud_voice`, `servers`, `allow_list`, `state`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from typing import Any

from django.conf import settings

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.waiting import wait_for
from integrations.vendors.errors import InvalidSpec, NotFound, VendorUnavailable
from integrations.vendors.genesys import BYOC_CARRIER_METABASE, GenesysClient, byoc_fqdn

#: spec field → BYOC property key (PROVIDERS.md §4.2)
PROPERTY_KEYS = {
    "identifier": "trunk_sip_termination_uri",
    "outbound_fqdn": "trunk_sip_termination_outbound_fqdn",
    "servers": "trunk_transport_serverProxyList",
    "transport": "trunk_transport_protocolVariant",
    "allow_list": "trunk_access_acl_allowList",
    "caller_id_name": "trunk_outboundIdentity_callingName",
    "caller_id_address": "trunk_outboundIdentity_callingAddress",
}
REALM = "trunk_sip_authentication_credentials_realm"
USERNAME = "trunk_sip_authentication_credentials_username"
PASSWORD = "trunk_sip_authentication_credentials_password"
ENABLED = "trunk_enabled"
#: true on the trunks of a Dynamic Cloud Voice org (PROVIDERS.md §4.2); picks the BYOC domain
DYNAMIC_CLOUD_VOICE = "trunk_routing_outbound_higher_capacity"


def credentials_digest(trunk_name: str, credentials: dict[str, Any]) -> str:
    """A keyed digest of realm, username and password: changes when any does, reveals nothing."""
    message = json.dumps([trunk_name, credentials.get("realm"), credentials.get("username"),
                          credentials.get("password")]).encode()  # fmt: skip
    key = hashlib.sha256(("genesys-trunk-credentials:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def refuse_allow_all(cidrs: list[str]) -> None:
    """Never open a trunk to every address (DESIGN §1): a /0 network is a spec error."""
    for cidr in cidrs:
        if ipaddress.ip_network(cidr, strict=False).prefixlen == 0:
            raise InvalidSpec(
                f"allow list entry {cidr} allows every address; list the carrier's signalling CIDRs",
                vendor="genesys",
                field="trunk_access_acl_allowList",
            )


def _instances(trunk: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.get("value") or {}).get("instance") for k, v in (trunk.get("properties") or {}).items()}


class GenesysTrunk(ResourceType):
    """One BYOC Cloud external trunk; the external id is the trunk base settings id."""

    type_name = "genesys.trunk"
    account_kind = "genesys"
    name_max_length = 255
    sensitive_fields = frozenset({"credentials"})

    # -- reading -------------------------------------------------------------------------------------
    def _find(self, ctx: NodeContext) -> dict[str, Any] | None:
        genesys: GenesysClient = ctx.clients.genesys
        if ctx.external_id:
            try:
                trunk = genesys.get_trunk_base(ctx.external_id)
            except NotFound:
                return None
            return None if trunk.get("state") == "deleted" else trunk
        live = [
            t
            for t in genesys.list_trunk_bases(ctx.external_name)
            if t.get("name") == ctx.external_name and t.get("state") != "deleted"
        ]
        return live[0] if live else None

    def _desired(self, ctx: NodeContext) -> dict[str, Any]:
        spec = ctx.spec
        credentials = spec.get("credentials") or {}
        return {
            "site_id": spec["site_id"],
            "identifier": spec["identifier"],
            "outbound_fqdn": spec["outbound_fqdn"],
            "servers": list(spec["servers"]),
            "transport": spec.get("transport", "udp"),
            "allow_list": sorted(spec.get("allow_list") or []),
            "caller_id_name": spec.get("caller_id_name", ""),
            "caller_id_address": spec.get("caller_id_address") or "",
            "enabled": True,
            "credentials": {
                "realm": credentials.get("realm", ""),
                "username": credentials.get("username", ""),
                "digest": credentials_digest(ctx.external_name, credentials),
            },
        }

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the trunk; compare the owned properties, and the password by the last digest sent."""
        genesys: GenesysClient = ctx.clients.genesys
        trunk = self._find(ctx)
        if trunk is None:
            return Observation(exists=False)
        values = _instances(trunk)
        observed: dict[str, Any] = {
            "site_id": (trunk.get("inboundSite") or {}).get("id"),
            "identifier": values.get(PROPERTY_KEYS["identifier"]),
            "outbound_fqdn": values.get(PROPERTY_KEYS["outbound_fqdn"]) or "",
            "servers": list(values.get(PROPERTY_KEYS["servers"]) or []),
            "transport": values.get(PROPERTY_KEYS["transport"]),
            "allow_list": sorted(values.get(PROPERTY_KEYS["allow_list"]) or []),
            "caller_id_name": values.get(PROPERTY_KEYS["caller_id_name"]) or "",
            "caller_id_address": values.get(PROPERTY_KEYS["caller_id_address"]) or "",
            "enabled": bool(values.get(ENABLED, True)) and trunk.get("state") == "active",
            "credentials": {
                "realm": values.get(REALM) or "",
                "username": values.get(USERNAME) or "",
                "digest": ctx.intent.get("credentials_digest") or ctx.outputs.get("credentials_digest"),
            },
        }
        diff = spec_diff(self._desired(ctx), observed)
        if "credentials" in diff:  # never show the digest (or anything derived from the password)
            have, want = diff["credentials"]
            diff = {**diff, "credentials": ({**have, "digest": "***"}, {**want, "digest": "***"})}
        identifier = str(observed["identifier"] or "")
        dynamic = values.get(DYNAMIC_CLOUD_VOICE) is True
        outputs: dict[str, Any] = {
            "id": trunk["id"],
            "name": trunk.get("name", ""),
            "identifier": identifier,
            "fqdn": byoc_fqdn(identifier, genesys.region, dynamic_cloud_voice=dynamic) if identifier else "",
            "dynamic_cloud_voice": dynamic,
            "servers": observed["servers"],
            "allow_list": observed["allow_list"],
            "state": trunk.get("state", ""),
        }
        if observed["credentials"]["digest"]:
            outputs["credentials_digest"] = observed["credentials"]["digest"]
        return Observation(
            exists=True, up_to_date=not diff, diff=diff, outputs=outputs, external_id=trunk["id"]
        )

    # -- writing -------------------------------------------------------------------------------------
    def _properties(self, ctx: NodeContext, base: dict[str, Any]) -> dict[str, Any]:
        """`base`'s property instances with the owned ones set; a key the template lacks is an error."""
        spec = ctx.spec
        refuse_allow_all(list(spec.get("allow_list") or []))
        credentials = spec.get("credentials") or {}
        wanted = {
            PROPERTY_KEYS["identifier"]: spec["identifier"],
            PROPERTY_KEYS["outbound_fqdn"]: spec["outbound_fqdn"],
            PROPERTY_KEYS["servers"]: list(spec["servers"]),
            PROPERTY_KEYS["transport"]: spec.get("transport", "udp"),
            PROPERTY_KEYS["allow_list"]: sorted(spec.get("allow_list") or []),
            PROPERTY_KEYS["caller_id_name"]: spec.get("caller_id_name", ""),
            ENABLED: True,
            REALM: credentials.get("realm", ""),
            USERNAME: credentials.get("username", ""),
            PASSWORD: credentials.get("password", ""),
        }
        address = spec.get("caller_id_address") or ""
        if address:
            wanted[PROPERTY_KEYS["caller_id_address"]] = address
        missing = sorted(k for k in wanted if k not in base)
        if missing:
            raise InvalidSpec(
                f"the {BYOC_CARRIER_METABASE} template has no property {', '.join(missing)}",
                vendor="genesys",
                field=missing[0],
            )
        properties = {
            key: {"value": {"instance": value}}
            for key, value in _instances({"properties": base}).items()
            # the calling address is Patchbay's: the spec's, or none at all (never an empty one)
            if value is not None and key != PROPERTY_KEYS["caller_id_address"]
        }
        properties.update({key: {"value": {"instance": value}} for key, value in wanted.items()})
        return properties

    def _body(self, ctx: NodeContext, base: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": ctx.external_name,
            "description": ctx.spec.get("description", "Managed by Patchbay"),
            "state": "active",
            "trunkMetabase": {"id": BYOC_CARRIER_METABASE},
            "trunkType": "EXTERNAL",
            "managed": False,
            "inboundSite": {"id": ctx.spec["site_id"]},
            "properties": self._properties(ctx, base.get("properties") or {}),
        }

    def _record_digest(self, ctx: NodeContext) -> None:
        ctx.record_intent(
            credentials_digest=credentials_digest(ctx.external_name, ctx.spec.get("credentials") or {})
        )

    def create(self, ctx: NodeContext) -> str:
        """POST the trunk built on the template; one of ours found by name (answer lost) is adopted."""
        genesys: GenesysClient = ctx.clients.genesys
        genesys.byoc_site(ctx.spec["site_id"])
        existing = self._find(ctx)
        if existing is not None:
            ctx.external_id = existing["id"]
            self.update(ctx, {})
            return existing["id"]
        body = self._body(ctx, genesys.trunk_template())
        created = genesys.create_trunk_base(body)
        self._record_digest(ctx)
        return str(created["id"])

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """PUT the whole trunk with its current version (re-read and retried on a version conflict)."""
        genesys: GenesysClient = ctx.clients.genesys
        genesys.byoc_site(ctx.spec["site_id"])
        genesys.update_trunk_base(ctx.external_id, lambda current: self._body(ctx, current))
        self._record_digest(ctx)

    def delete(self, ctx: NodeContext) -> None:
        """Soft delete, then poll until Genesys reports the trunk deleted (or gone)."""
        genesys: GenesysClient = ctx.clients.genesys
        trunk_id = ctx.external_id
        try:
            trunk = genesys.get_trunk_base(trunk_id)
        except NotFound:
            return
        if trunk.get("state") != "deleted":
            try:
                genesys.delete_trunk_base(trunk_id)
            except NotFound:
                return
            except InvalidSpec as refused:
                if "in.use" in str(refused) or "in use" in str(refused):
                    # Still on an outbound route (someone else's edit racing ours): retry later.
                    raise VendorUnavailable(str(refused.args[0]), vendor="genesys") from None
                raise

        def fetch() -> str:
            try:
                return str(genesys.get_trunk_base(trunk_id).get("state"))
            except NotFound:
                return "gone"

        wait_for(fetch, lambda state: state in ("deleted", "gone"), what=f"Genesys trunk {trunk_id}")
