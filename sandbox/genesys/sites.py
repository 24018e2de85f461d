"""Genesys sites and their outbound routes (PROVIDERS.md §4.3).

A managed site (the Genesys Cloud Voice site `PureCloud Voice - AWS`) and its children cannot be
changed through the API (Terraform provider, examples/resources/genesyscloud_telephony_providers_edges_site
and ..._site_outbound_route notes.md: "enforced by the Genesys Cloud API itself"). A classification
belongs to one outbound route of a site at a time (the Terraform provider deletes unwanted routes
first "to free up classifications assigned to them", site utils); the error text is the sandbox's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, VendorHttpError, json_response, new_id

if TYPE_CHECKING:
    from sandbox.genesys.stand_in import GenesysStandIn

SITES = "/api/v2/telephony/providers/edges/sites"
#: the Genesys-managed BYOC Cloud site every org has (§4.3)
MANAGED_SITE_NAME = "PureCloud Voice - AWS"


def list_sites(gc: GenesysStandIn, call: HttpCall) -> Response:
    """GET .../sites: paged, `name` filter with `prefix*`."""
    query = call.query()
    gc.raise_violations(call.query_violations(query))
    sites = [s for s in gc.sites.values() if s["org_id"] == call.account]
    if "name" in query:
        sites = [s for s in sites if gc.name_matches(s["name"], query["name"])]
    return gc.page(SITES, query, [public_site(s) for s in sites])


def get_site(gc: GenesysStandIn, call: HttpCall) -> Response:
    """GET .../sites/{siteId}."""
    return json_response(public_site(gc.owned_site(call.account, call.params["site_id"])))


def list_outbound_routes(gc: GenesysStandIn, call: HttpCall) -> Response:
    """GET .../sites/{siteId}/outboundroutes: paged, `name` filter."""
    site = gc.owned_site(call.account, call.params["site_id"])
    query = call.query()
    gc.raise_violations(call.query_violations(query))
    routes = [r for r in gc.outbound_routes.values() if r["site_id"] == site["id"]]
    if "name" in query:
        routes = [r for r in routes if gc.name_matches(r["name"], query["name"])]
    return gc.page(f"{SITES}/{site['id']}/outboundroutes", query, [public_route(gc, r) for r in routes])


def get_outbound_route(gc: GenesysStandIn, call: HttpCall) -> Response:
    """GET .../sites/{siteId}/outboundroutes/{id}."""
    return json_response(public_route(gc, _owned_route(gc, call)))


def create_outbound_route(gc: GenesysStandIn, call: HttpCall) -> Response:
    """POST .../sites/{siteId}/outboundroutes → the route with `id` and `version: 1`."""
    site = gc.owned_site(call.account, call.params["site_id"])
    gc.refuse_managed_site(site)
    body = call.json()
    trunk_ids = _checked(gc, call, body, site, current=None)
    now = gc.now()
    route = {
        "id": new_id(),
        "org_id": call.account,
        "site_id": site["id"],
        "version": 1,
        "dateCreated": now,
        "dateModified": now,
        **_settings(body, trunk_ids),
    }
    gc.outbound_routes[route["id"]] = route
    return json_response(public_route(gc, route))


def update_outbound_route(gc: GenesysStandIn, call: HttpCall) -> Response:
    """PUT .../sites/{siteId}/outboundroutes/{id}: the full object with the current `version`."""
    route = _owned_route(gc, call)
    gc.refuse_managed_site(gc.sites[route["site_id"]])
    body = call.json()
    trunk_ids = _checked(gc, call, body, gc.sites[route["site_id"]], current=route)
    if body["version"] != route["version"]:
        raise VendorHttpError(
            409,
            "general.conflict",
            f"Outbound route {route['id']}: version mismatch, the current version is {route['version']} "
            f"but {body['version']} was given",
        )
    route.update(_settings(body, trunk_ids), version=route["version"] + 1, dateModified=gc.now())
    return json_response(public_route(gc, route))


def delete_outbound_route(gc: GenesysStandIn, call: HttpCall) -> Response:
    """DELETE .../sites/{siteId}/outboundroutes/{id} → 204."""
    route = _owned_route(gc, call)
    gc.refuse_managed_site(gc.sites[route["site_id"]])
    del gc.outbound_routes[route["id"]]
    return Response(status=204)


#: the customer's own BYOC Cloud site a sandbox org starts with (any name; the admin made it)
CUSTOMER_SITE_NAME = "Main Site"
#: the US location both sites are in: the country code National/International are judged by
LOCATION = {"name": "Headquarters", "country_code": "1"}
_INTERNAL = ("org_id", "country_code", "location_id")


def new_site(org_id: str, now: str, *, managed: bool, location_id: str) -> dict[str, Any]:
    """A Cloud site of the org: the Genesys-managed `PureCloud Voice - AWS`, or the customer's own."""
    return {
        "id": new_id(),
        "org_id": org_id,
        "name": MANAGED_SITE_NAME if managed else CUSTOMER_SITE_NAME,
        "version": 1,
        "state": "active",
        "managed": managed,
        "mediaModel": "Cloud",
        "dateCreated": now,
        "country_code": LOCATION["country_code"],
        "location_id": location_id,
    }


def public_site(site: dict[str, Any]) -> dict[str, Any]:
    """A Site as the API shows it (the SDK's Site requires `location`)."""
    shown = {k: v for k, v in site.items() if k not in _INTERNAL}
    shown.update(
        location={"id": site["location_id"], "name": LOCATION["name"],
                  "selfUri": f"/api/v2/locations/{site['location_id']}"},
        primarySites=[],
        secondarySites=[],
        selfUri=f"{SITES}/{site['id']}",
    )  # fmt: skip
    return shown


def public_route(gc: GenesysStandIn, route: dict[str, Any]) -> dict[str, Any]:
    """An OutboundRouteBase as the site's routes show it (no `site`/`managed`: the SDK's model has none)."""
    trunks = [gc.trunkbases.get(t) for t in route["trunk_ids"]]
    shown = {
        "id": route["id"],
        "name": route["name"],
        "version": route["version"],
        "dateCreated": route["dateCreated"],
        "dateModified": route["dateModified"],
        "state": "active",
        "classificationTypes": route["classificationTypes"],
        "enabled": route["enabled"],
        "distribution": route["distribution"],
        "externalTrunkBases": [
            {"id": t["id"], "name": t["name"], "selfUri": f"{gc.trunk_base_uri}/{t['id']}"}
            for t in trunks
            if t
        ],
        "selfUri": f"{SITES}/{route['site_id']}/outboundroutes/{route['id']}",
    }
    if route.get("description") is not None:
        shown["description"] = route["description"]
    return shown


def _owned_route(gc: GenesysStandIn, call: HttpCall) -> dict[str, Any]:
    site = gc.owned_site(call.account, call.params["site_id"])
    route = gc.outbound_routes.get(call.params["route_id"])
    if route is None or route["site_id"] != site["id"]:
        raise VendorHttpError(404, "not.found", f"Outbound route {call.params['route_id']} not found")
    return route


def _checked(
    gc: GenesysStandIn,
    call: HttpCall,
    body: dict[str, Any],
    site: dict[str, Any],
    current: dict[str, Any] | None,
) -> list[str]:
    """Every rule of a POST/PUT body; returns the trunk ids in the order given (it matters for SEQUENTIAL)."""
    gc.raise_violations(call.body_violations(body))
    gc.refuse_sdk_problems(body, "OutboundRouteBase")
    trunk_ids = [t["id"] for t in body.get("externalTrunkBases", [])]
    for trunk_id in trunk_ids:
        trunk = gc.trunkbases.get(trunk_id)
        if trunk is None or trunk["org_id"] != call.account or trunk["state"] == "deleted":
            raise VendorHttpError(400, "bad.request", f"External trunk base {trunk_id} does not exist")
        if trunk["trunkType"] != "EXTERNAL":
            raise VendorHttpError(400, "bad.request", f"Trunk base {trunk_id} is not an EXTERNAL trunk")
    for route in gc.outbound_routes.values():
        if (
            route["site_id"] == site["id"]
            and route is not current
            and route["name"].lower() == body["name"].lower()
        ):
            raise VendorHttpError(
                400, "bad.request", f"An outbound route named {body['name']} already exists"
            )
        if route["site_id"] == site["id"] and route is not current:
            taken = sorted(set(route["classificationTypes"]) & set(body["classificationTypes"]))
            if taken:
                raise VendorHttpError(
                    400, "bad.request",
                    f"Classification {', '.join(taken)} is already assigned to outbound route "
                    f"{route['name']}",
                )  # fmt: skip
    return trunk_ids


def _settings(body: dict[str, Any], trunk_ids: list[str]) -> dict[str, Any]:
    return {
        "name": body["name"],
        "description": body.get("description"),
        "classificationTypes": list(body["classificationTypes"]),
        # Terraform's defaults: disabled, SEQUENTIAL (§4.3).
        "enabled": body.get("enabled", False),
        "distribution": body.get("distribution", "SEQUENTIAL"),
        "trunk_ids": trunk_ids,
    }
