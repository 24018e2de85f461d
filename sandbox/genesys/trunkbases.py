"""Genesys trunk base settings (BYOC Cloud external trunks), PROVIDERS.md §4.2."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, VendorHttpError, json_response, new_id
from sandbox.genesys import trunk_properties as props
from sandbox.genesys.rules import MANAGED_METABASES, TRUNK_METABASES

if TYPE_CHECKING:
    from sandbox.genesys.stand_in import GenesysStandIn

BASE = "/api/v2/telephony/providers/edges/trunkbasesettings"


def list_trunk_bases(gc: GenesysStandIn, call: HttpCall) -> Response:
    """GET .../trunkbasesettings: paged; `name` takes a `prefix*` wildcard; deleted ones stay listed."""
    query = call.query()
    gc.raise_violations(call.query_violations(query))
    trunks = [t for t in gc.trunkbases.values() if t["org_id"] == call.account]
    if "name" in query:
        trunks = [t for t in trunks if gc.name_matches(t["name"], query["name"])]
    if "managed" in query:
        trunks = [t for t in trunks if t["managed"] == (query["managed"].lower() == "true")]
    trunks.sort(key=lambda t: t["name"].lower(), reverse=query.get("sortOrder", "ASC").upper() == "DESC")
    return gc.page(BASE, query, [public_trunk(gc, t) for t in trunks])


def get_template(gc: GenesysStandIn, call: HttpCall) -> Response:
    """GET .../trunkbasesettings/template?trunkMetabaseId= → a pre-filled TrunkBase with every key."""
    query = call.query()
    gc.raise_violations(call.query_violations(query))
    metabase = query["trunkMetabaseId"]
    if metabase not in TRUNK_METABASES:
        raise VendorHttpError(400, "bad.request", f"Invalid trunkMetabaseId {metabase}")
    name, trunk_type = TRUNK_METABASES[metabase]
    return json_response(
        {
            "name": "",
            "state": "active",
            "trunkMetabase": {"id": metabase, "name": name},
            "trunkType": trunk_type,
            "managed": False,
            "properties": props.template_properties(gc.trunk_defaults(call.account)),
        }
    )


def create_trunk_base(gc: GenesysStandIn, call: HttpCall) -> Response:
    """POST .../trunkbasesettings → the TrunkBase with `id`, `version: 1`, `state: active`, `selfUri`."""
    body = call.json()
    instances = _checked(gc, call, body, current=None)
    now = gc.now()
    trunk = {
        "id": new_id(),
        "org_id": call.account,
        "version": 1,
        "dateCreated": now,
        "gets_left": None,
        **_settings(body, instances),
    }
    trunk["dateModified"] = now
    gc.trunkbases[trunk["id"]] = trunk
    gc.note_allow_all(trunk)
    return json_response(public_trunk(gc, trunk))


def get_trunk_base(gc: GenesysStandIn, call: HttpCall) -> Response:
    """GET .../trunkbasesettings/{id}; a deleted trunk answers `state: deleted` a few more times, then 404."""
    trunk = _owned(gc, call)
    if trunk["state"] == "deleted":
        if trunk["gets_left"] <= 0:
            del gc.trunkbases[trunk["id"]]
            raise VendorHttpError(404, "not.found", f"Trunk base settings {trunk['id']} not found")
        trunk["gets_left"] -= 1
    return json_response(public_trunk(gc, trunk))


def update_trunk_base(gc: GenesysStandIn, call: HttpCall) -> Response:
    """PUT .../trunkbasesettings/{id}: the full object with the current `version`, which it bumps."""
    trunk = _owned(gc, call)
    _refuse_managed(trunk)
    body = call.json()
    if trunk["state"] == "deleted":
        raise VendorHttpError(400, "bad.request", f"Trunk base settings {trunk['id']} has been deleted")
    instances = _checked(gc, call, body, current=trunk)
    if body["version"] != trunk["version"]:
        # Terraform re-reads and retries on this conflict ("version mismatch", §4.2).
        raise VendorHttpError(
            409,
            "general.conflict",
            f"Trunk base settings {trunk['id']}: version mismatch, the current version is {trunk['version']} "
            f"but {body['version']} was given",
        )
    trunk.update(_settings(body, instances), version=trunk["version"] + 1, dateModified=gc.now())
    gc.note_allow_all(trunk)
    return json_response(public_trunk(gc, trunk))


def delete_trunk_base(gc: GenesysStandIn, call: HttpCall) -> Response:
    """DELETE .../trunkbasesettings/{id}: a soft delete, refused while an outbound route uses the trunk."""
    trunk = _owned(gc, call)
    _refuse_managed(trunk)
    if trunk["state"] == "deleted":
        raise VendorHttpError(404, "not.found", f"Trunk base settings {trunk['id']} not found")
    users = [r["name"] for r in gc.outbound_routes.values() if trunk["id"] in r["trunk_ids"]]
    if users:
        # Terraform retries a DELETE that answers 400 while the trunk is still in use (§4.2).
        raise VendorHttpError(
            400,
            "general.resource.in.use",
            f"Trunk base settings {trunk['name']} is in use by outbound route(s): {', '.join(users)}",
        )
    trunk.update(state="deleted", version=trunk["version"] + 1, dateModified=gc.now())
    trunk["gets_left"] = gc.deleted_gets_before_404
    return Response(status=204)


def public_trunk(gc: GenesysStandIn, trunk: dict[str, Any]) -> dict[str, Any]:
    """A TrunkBase as the API shows it."""
    shown = {
        "id": trunk["id"],
        "name": trunk["name"],
        "version": trunk["version"],
        "dateCreated": trunk["dateCreated"],
        "dateModified": trunk["dateModified"],
        "state": trunk["state"],
        "trunkMetabase": {"id": trunk["metabase"], "name": ALL_METABASES[trunk["metabase"]][0]},
        "properties": props.shown_properties(trunk["instances"]),
        "trunkType": trunk["trunkType"],
        "managed": trunk["managed"],
        "selfUri": f"{BASE}/{trunk['id']}",
    }
    if trunk.get("description") is not None:
        shown["description"] = trunk["description"]
    for field in ("inboundSite", "site"):
        if trunk.get(field):
            shown[field] = gc.site_ref(trunk[field])
    return shown


ALL_METABASES = {**TRUNK_METABASES, **MANAGED_METABASES}


def managed_pstn_trunk(org_id: str, now: str, org_defaults: dict[str, Any]) -> dict[str, Any]:
    """The Genesys Cloud Voice trunk an org's PSTN calls leave by (managed: the API cannot change it)."""
    return {
        "id": new_id(), "org_id": org_id, "version": 1, "dateCreated": now, "dateModified": now,
        "gets_left": None, "name": "PureCloud Voice - AWS", "description": None, "state": "active",
        "metabase": "external_sip_pcv_aws.json", "trunkType": "EXTERNAL", "managed": True,
        "inboundSite": None, "site": None, "instances": props.stored_properties({}, org_defaults),
    }  # fmt: skip


def _refuse_managed(trunk: dict[str, Any]) -> None:
    if trunk["managed"]:
        raise VendorHttpError(
            400, "bad.request",
            f"Trunk base settings {trunk['name']} is managed by Genesys Cloud and cannot be changed",
        )  # fmt: skip


def _owned(gc: GenesysStandIn, call: HttpCall) -> dict[str, Any]:
    trunk = gc.trunkbases.get(call.params["id"])
    if trunk is None or trunk["org_id"] != call.account:
        raise VendorHttpError(404, "not.found", f"Trunk base settings {call.params['id']} not found")
    return trunk


def _checked(
    gc: GenesysStandIn, call: HttpCall, body: dict[str, Any], current: dict[str, Any] | None
) -> dict:
    """Every rule of a POST/PUT body; returns the property instances to store."""
    gc.raise_violations(call.body_violations(body))
    gc.refuse_sdk_problems(body, "TrunkBase")
    metabase = body["trunkMetabase"]["id"]
    if metabase not in TRUNK_METABASES:
        raise VendorHttpError(400, "bad.request", f"Invalid trunk metabase {metabase}")
    if body["trunkType"] != TRUNK_METABASES[metabase][1]:
        raise VendorHttpError(
            400, "bad.request", f"trunkType must be {TRUNK_METABASES[metabase][1]} for {metabase}"
        )
    if body.get("managed"):
        raise VendorHttpError(400, "bad.request", "Managed trunk base settings cannot be created or changed")
    # Terraform: inboundSite is required for external_sip_pcv_byoc* metabases (§4.2).
    if metabase.startswith("external_sip_pcv_byoc") and not body.get("inboundSite"):
        raise VendorHttpError(400, "bad.request", "inboundSite is required for a BYOC Cloud trunk")
    for field in ("inboundSite", "site"):
        if body.get(field):
            gc.owned_site(call.account, body[field]["id"], missing_status=400)
    problems = props.structure_problems(
        body.get("properties", {}), refuse_unknown=gc.strict_unknown_trunk_properties
    )
    if problems:
        raise VendorHttpError(400, "bad.request", "; ".join(problems))
    gc.raise_violations(call.body_violations(body, props.PROPERTY_RULES))
    clash = next(
        (
            t
            for t in gc.trunkbases.values()
            if t["org_id"] == call.account
            and t["state"] != "deleted"
            and t is not current
            and t["name"].lower() == body["name"].lower()
        ),
        None,
    )
    if clash is not None:
        raise VendorHttpError(
            400, "bad.request", f"A trunk base settings named {body['name']} already exists"
        )
    return props.stored_properties(body.get("properties", {}), gc.trunk_defaults(call.account))


def _settings(body: dict[str, Any], instances: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": body["name"],
        "description": body.get("description"),
        "state": body.get("state", "active"),
        "metabase": body["trunkMetabase"]["id"],
        "trunkType": body["trunkType"],
        "managed": False,
        "inboundSite": (body.get("inboundSite") or {}).get("id"),
        "site": (body.get("site") or {}).get("id"),
        "instances": copy.deepcopy(instances),
    }
