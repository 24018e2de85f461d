"""`genesys.outbound_route`: the trunk on a site's outbound route, so Architect can send calls over it.

PROVIDERS.md §4.3. Two ways, chosen by the spec:

- `route_id` given: the customer's existing route. Patchbay only adds its trunk to the route's
  `externalTrunkBases` (appended: order matters for SEQUENTIAL) and, on teardown, removes only
  its own trunk; the route and the other trunks are left alone.
- `route_id` empty: a route Patchbay owns, named by the node's external name, holding the trunk,
  for one classification of its own: a site number plan (`genesys_number_plan.py`) that matches
  only `numbers` (the Synthflow numbers). Ordinary calls keep classifying as National/International
  and go on over the org's own route. On teardown the trunk is removed and the route deleted
  unless someone added other trunks to it, then the plan is removed.

The site must be one of the customer's own: a Genesys-managed site ("PureCloud Voice - AWS") is
refused with InvalidSpec before anything is written. Every PUT carries the current `version`,
re-read and retried on a conflict.

Spec keys: `site_id`, `trunk_id`, `route_id` (may be ""), `numbers` (owned route), `enabled` (owned
route). External id: the route's id. Outputs: `route_id`, `route_name`, `site_id`, `trunk_id`,
`owned`, `trunk_ids` (the route's trunks in order), `classification` (owned route).
"""

from __future__ import annotations

import contextlib
from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources import genesys_number_plan as number_plan
from integrations.vendors.errors import NotFound
from integrations.vendors.genesys import GenesysClient


def _trunk_ids(route: dict[str, Any]) -> list[str]:
    return [str(t.get("id")) for t in route.get("externalTrunkBases") or []]


def _put_body(route: dict[str, Any], trunk_ids: list[str], **changes: Any) -> dict[str, Any]:
    """The full route for a PUT, with `trunk_ids` as its trunks (references by id)."""
    body = {
        "name": route["name"],
        "classificationTypes": list(route.get("classificationTypes") or []),
        "enabled": bool(route.get("enabled", False)),
        "distribution": route.get("distribution") or "SEQUENTIAL",
        "externalTrunkBases": [{"id": t} for t in trunk_ids],
    }
    if route.get("description") is not None:
        body["description"] = route["description"]
    body.update(changes)
    return body


class GenesysOutboundRoute(ResourceType):
    """Membership of the trunk in an outbound route (the customer's, or one Patchbay owns)."""

    type_name = "genesys.outbound_route"
    account_kind = "genesys"
    name_max_length = 255

    @staticmethod
    def _owned(ctx: NodeContext) -> bool:
        return not ctx.spec.get("route_id")

    def _route(self, ctx: NodeContext) -> dict[str, Any] | None:
        genesys: GenesysClient = ctx.clients.genesys
        site_id = ctx.spec["site_id"]
        route_id = ctx.external_id or ctx.spec.get("route_id") or ""
        if route_id:
            try:
                return genesys.get_outbound_route(site_id, route_id)
            except NotFound:
                return None
        found = [r for r in genesys.list_outbound_routes(site_id, ctx.external_name)
                 if r.get("name") == ctx.external_name]  # fmt: skip
        return found[0] if found else None

    def _desired(self, ctx: NodeContext) -> dict[str, Any]:
        desired: dict[str, Any] = {"site_id": ctx.spec["site_id"], "has_trunk": True}
        if self._owned(ctx):
            # The route's classification is its own name: the plan classifies the numbers so.
            desired["classification_types"] = [ctx.external_name]
            desired["enabled"] = bool(ctx.spec.get("enabled", True))
            desired["number_plan"] = number_plan.desired_plan(ctx.external_name, self._numbers(ctx))
        else:
            desired["route_id"] = ctx.spec["route_id"]
        return desired

    @staticmethod
    def _numbers(ctx: NodeContext) -> list[str]:
        return [str(n) for n in ctx.spec.get("numbers") or []]

    def observe(self, ctx: NodeContext) -> Observation:
        """The membership exists when the route lists the trunk (an owned route: when the route exists)."""
        route = self._route(ctx)
        if route is None:
            return Observation(exists=False)
        trunk_ids = _trunk_ids(route)
        has_trunk = ctx.spec["trunk_id"] in trunk_ids
        if not self._owned(ctx) and not has_trunk:
            return Observation(exists=False)
        observed = {
            "site_id": (route.get("site") or {}).get("id") or ctx.spec["site_id"],
            "route_id": route["id"],
            "has_trunk": has_trunk,
            "classification_types": sorted(route.get("classificationTypes") or []),
            "enabled": bool(route.get("enabled")),
        }
        if self._owned(ctx):
            plans = ctx.clients.genesys.list_number_plans(ctx.spec["site_id"])
            observed["number_plan"] = number_plan.observed_plan(plans, ctx.external_name)
        diff = spec_diff(self._desired(ctx), observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            external_id=route["id"],
            outputs={
                "route_id": route["id"],
                "route_name": route.get("name", ""),
                "site_id": observed["site_id"],
                "trunk_id": ctx.spec["trunk_id"],
                "owned": self._owned(ctx),
                "trunk_ids": trunk_ids,
                "classification": ctx.external_name if self._owned(ctx) else "",
            },
        )

    def _owned_changes(self, ctx: NodeContext) -> dict[str, Any]:
        if not self._owned(ctx):
            return {}
        return {"classificationTypes": [ctx.external_name], "enabled": bool(ctx.spec.get("enabled", True))}

    def _add_trunk(self, ctx: NodeContext, route_id: str) -> None:
        trunk_id = ctx.spec["trunk_id"]

        def change(route: dict[str, Any]) -> dict[str, Any]:
            ids = _trunk_ids(route)
            return _put_body(route, ids if trunk_id in ids else [*ids, trunk_id], **self._owned_changes(ctx))

        ctx.clients.genesys.update_outbound_route(ctx.spec["site_id"], route_id, change)

    def create(self, ctx: NodeContext) -> str:
        """Add the trunk to the customer's route, or create Patchbay's plan and route holding it."""
        genesys: GenesysClient = ctx.clients.genesys
        genesys.byoc_site(ctx.spec["site_id"])
        if not self._owned(ctx):
            route_id = ctx.spec["route_id"]
            self._add_trunk(ctx, route_id)
            return route_id
        number_plan.put_plan(genesys, ctx.spec["site_id"], ctx.external_name, self._numbers(ctx))
        existing = self._route(ctx)
        if existing is not None:  # ours, its create answer lost
            self._add_trunk(ctx, existing["id"])
            return existing["id"]
        created = genesys.create_outbound_route(
            ctx.spec["site_id"],
            _put_body(
                {"name": ctx.external_name, "description": "Managed by Patchbay"},
                [ctx.spec["trunk_id"]],
                **self._owned_changes(ctx),
            ),
        )
        return str(created["id"])

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Put the trunk back on the route (and, on an owned route, its plan and settings)."""
        genesys: GenesysClient = ctx.clients.genesys
        genesys.byoc_site(ctx.spec["site_id"])
        if self._owned(ctx) and "number_plan" in diff:
            number_plan.put_plan(genesys, ctx.spec["site_id"], ctx.external_name, self._numbers(ctx))
        self._add_trunk(ctx, ctx.external_id or ctx.spec["route_id"])

    def delete(self, ctx: NodeContext) -> None:
        """Remove only our trunk; delete an owned route that holds nothing else."""
        genesys: GenesysClient = ctx.clients.genesys
        site_id, trunk_id = ctx.spec["site_id"], ctx.spec["trunk_id"]
        route = self._route(ctx)
        if route is None:
            self._remove_plan(ctx)
            return
        others = [t for t in _trunk_ids(route) if t != trunk_id]
        if self._owned(ctx) and route.get("name") == ctx.external_name and not others:
            with contextlib.suppress(NotFound):
                genesys.delete_outbound_route(site_id, route["id"])
            self._remove_plan(ctx)
            return
        if trunk_id not in _trunk_ids(route):
            return

        def change(current: dict[str, Any]) -> dict[str, Any]:
            return _put_body(current, [t for t in _trunk_ids(current) if t != trunk_id])

        try:
            genesys.update_outbound_route(site_id, route["id"], change)
        except NotFound:
            return

    def _remove_plan(self, ctx: NodeContext) -> None:
        if self._owned(ctx):
            with contextlib.suppress(NotFound):
                number_plan.remove_plan(ctx.clients.genesys, ctx.spec["site_id"], ctx.external_name)
