"""The site number plan behind a route Patchbay owns: a classification matching only the Synthflow numbers.

PROVIDERS.md §4.3. A route for `National`/`International` would compete with the org's own PSTN
route for every ordinary call (and Genesys gives a classification to one route of a site only), so
Patchbay's route carries a classification of its own. The site's number plans decide it: a plan
with match type `e164NumberList` (Genesys's "Number plan information": E.164 numbers with their
`+`, not normalized) listing exactly the integration's numbers, named and classified by the
route's name. Plans are a plain list, PUT whole, whose order is their priority (Terraform's site
resource), so Patchbay's plan goes first: ahead of `National`, which matches the same numbers.
"""

from __future__ import annotations

from typing import Any

from integrations.vendors.genesys import GenesysClient

#: Genesys number plan match type for a list of E.164 numbers (Terraform site resource's match types)
E164_LIST = "e164NumberList"


def wanted_plan(name: str, numbers: list[str]) -> dict[str, Any]:
    """The plan classifying exactly `numbers` as `name` (each number a one-number range)."""
    return {
        "name": name,
        "description": "Managed by Patchbay: the numbers its outbound route sends to Synthflow",
        "classification": name,
        "matchType": E164_LIST,
        "numbers": [{"start": n, "end": n} for n in sorted(set(numbers))],
    }


def observed_plan(plans: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """What Patchbay owns of its plan (numbers, classification, match type, first place), or None."""
    found = next((i for i, plan in enumerate(plans) if plan.get("name") == name), None)
    if found is None:
        return None
    plan = plans[found]
    return {
        "classification": plan.get("classification"),
        "match_type": plan.get("matchType"),
        "numbers": sorted(
            str(n.get("start")) for n in plan.get("numbers") or [] if n.get("start") == n.get("end")
        ),
        "first": found == 0,
    }


def desired_plan(name: str, numbers: list[str]) -> dict[str, Any]:
    return {"classification": name, "match_type": E164_LIST, "numbers": sorted(set(numbers)), "first": True}


def put_plan(genesys: GenesysClient, site_id: str, name: str, numbers: list[str]) -> None:
    """Put Patchbay's plan first in the site's list (keeping its id and version when it exists)."""

    def change(plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
        mine = next((p for p in plans if p.get("name") == name), None)
        others = [p for p in plans if p is not mine]
        plan = wanted_plan(name, numbers)
        if mine is not None:
            plan.update(id=mine["id"], version=mine["version"])
        return [plan, *others]

    genesys.update_number_plans(site_id, change)


def remove_plan(genesys: GenesysClient, site_id: str, name: str) -> None:
    """Take Patchbay's plan out of the site's list; the other plans keep their order."""
    if observed_plan(genesys.list_number_plans(site_id), name) is None:
        return
    genesys.update_number_plans(site_id, lambda plans: [p for p in plans if p.get("name") != name])
