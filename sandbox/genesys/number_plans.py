"""A site's number plans: `GET|PUT .../sites/{siteId}/numberplans`, and how a dialled number is classified.

Sources: Genesys's "Number plan information" (help.mypurecloud.com/articles/number-plan-information/:
the default plans, the match types, at most 200 plans per site, E.164 number lists keep their `+`),
the SDK (`get/put_telephony_providers_edges_site_numberplans`: a plain `list[NumberPlan]` both ways)
and the Terraform provider's site resource (`match_type` is one of digitLength, e164NumberList,
interCountryCode, intraCountryCode, numberList, regex; `classification` required; the order of the
plans is their priority; plans left out of a PUT are gone, which is why Terraform puts the default
plans back). A number is classified by the first plan, in order, that matches it.
"""

from __future__ import annotations

import copy
import json
import re
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, VendorHttpError, json_response, new_id

if TYPE_CHECKING:
    from sandbox.genesys.stand_in import GenesysStandIn

SOURCE = "help.mypurecloud.com/articles/number-plan-information/; Terraform site resource"
MANAGED_SOURCE = "Terraform provider: site and site outbound route notes.md (enforced by the Genesys API)"
MATCH_TYPES = ("digitLength", "e164NumberList", "interCountryCode", "intraCountryCode", "numberList", "regex")
MAX_PLANS = 200
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_DIGITS = re.compile(r"^\d{2,9}$")


def default_plans(now: str) -> list[dict[str, Any]]:
    """The plans a new site starts with (help page's table; the emergency number of a US location)."""
    plans: list[dict[str, Any]] = [
        {"name": "Emergency", "matchType": "numberList", "numbers": [{"start": "911", "end": "911"}]},
        {"name": "Extension", "matchType": "digitLength", "digitLength": {"start": "4", "end": "6"}},
        {"name": "National", "matchType": "intraCountryCode"},
        {"name": "International", "matchType": "interCountryCode"},
        {"name": "Network", "matchType": "regex", "match": r"^([^@\:]+@)([^@ ]+)?$",
         "normalizedFormat": "sip:$1$2"},
        {"name": "Suicide Prevention", "matchType": "regex", "match": "^988$",
         "normalizedFormat": "+18002738255"},
    ]  # fmt: skip
    return [
        {**plan, "id": new_id(), "classification": plan["name"], "version": 1, "state": "active",
         "dateCreated": now, "dateModified": now}
        for plan in plans
    ]  # fmt: skip


def get_number_plans(gc: GenesysStandIn, call: HttpCall) -> Response:
    """GET .../sites/{siteId}/numberplans → every plan of the site, in priority order."""
    site = gc.owned_site(call.account, call.params["site_id"])
    return json_response([public_plan(site, plan, i) for i, plan in enumerate(gc.number_plans[site["id"]])])


def put_number_plans(gc: GenesysStandIn, call: HttpCall) -> Response:
    """PUT .../sites/{siteId}/numberplans: the whole list, in priority order; plans left out are gone."""
    site = gc.owned_site(call.account, call.params["site_id"])
    gc.refuse_managed_site(site)
    body = _list_body(call)
    gc.refuse_sdk_problems(body, "list[NumberPlan]")
    current = {plan["id"]: plan for plan in gc.number_plans[site["id"]]}
    problems = _list_problems(body, current)
    if problems:
        raise VendorHttpError(400, "bad.request", "; ".join(problems))
    stale = [p for p in body if p.get("id") and p.get("version") != current[p["id"]]["version"]]
    if stale:
        raise VendorHttpError(
            409, "general.conflict", f"Number plan {stale[0]['name']}: version mismatch, the current version "
            f"is {current[stale[0]['id']]['version']}"
        )  # fmt: skip
    now, plans = gc.now(), []
    for given in body:
        before = current.get(given.get("id") or "")
        plan = {k: copy.deepcopy(given[k]) for k in _STORED if given.get(k) is not None}
        plan.update(
            id=before["id"] if before else new_id(),
            version=before["version"] + 1 if before else 1,
            state="active",
            dateCreated=before["dateCreated"] if before else now,
            dateModified=now,
        )
        plans.append(plan)
    gc.number_plans[site["id"]] = plans
    return json_response([public_plan(site, plan, i) for i, plan in enumerate(plans)])


def _list_body(call: HttpCall) -> list[Any]:
    """The JSON array body (the SDK sends `list[NumberPlan]`); anything else is a 400."""
    try:
        body = json.loads(call.request.get_data(as_text=True) or "null")
    except ValueError as exc:
        raise VendorHttpError(400, "bad.request", f"Malformed JSON body: {exc}") from exc
    if not isinstance(body, list):
        raise VendorHttpError(400, "bad.request", "The body must be a list of number plans")
    return body


_STORED = ("name", "description", "classification", "matchType", "numbers", "digitLength", "match",
           "normalizedFormat")  # fmt: skip


def public_plan(site: dict[str, Any], plan: dict[str, Any], index: int) -> dict[str, Any]:
    """A NumberPlan as the API shows it; `priority` is its place in the site's list."""
    shown = {k: copy.deepcopy(v) for k, v in plan.items()}
    shown.update(priority=index + 1, selfUri=f"{SITE_PATH}/{site['id']}/numberplans/{plan['id']}")
    return shown


SITE_PATH = "/api/v2/telephony/providers/edges/sites"


def _list_problems(body: list[Any], current: dict[str, dict[str, Any]]) -> list[str]:
    found: list[str] = []
    if len(body) > MAX_PLANS:
        found.append(f"A site has at most {MAX_PLANS} number plans")
    names = [str(p.get("name") or "").lower() for p in body if isinstance(p, dict)]
    if len(names) != len(set(names)):
        found.append("Number plan names must be unique within the site")
    for plan in body:
        found += [f"{plan.get('name') or '(unnamed)'}: {p}" for p in _plan_problems(plan, current)]
    return found


def _plan_problems(plan: dict[str, Any], current: dict[str, dict[str, Any]]) -> list[str]:
    if not plan.get("name"):
        return ["name is required"]
    found = []
    if plan.get("id") and plan["id"] not in current:
        found.append(f"number plan {plan['id']} is not a plan of the site")
    if not plan.get("classification"):
        found.append("classification is required")
    match_type = plan.get("matchType")
    if match_type not in MATCH_TYPES:
        return [*found, f"matchType must be one of {', '.join(MATCH_TYPES)}"]
    if match_type in ("e164NumberList", "numberList"):
        found += _numbers_problems(plan.get("numbers"), e164=match_type == "e164NumberList")
    elif match_type == "digitLength":
        length = plan.get("digitLength") or {}
        if not all(str(length.get(k, "")).isdigit() and 1 <= int(length[k]) <= 20 for k in ("start", "end")):
            found.append("digitLength needs start and end between 1 and 20")
    elif match_type == "regex":
        try:
            re.compile(str(plan.get("match") or ""))
        except re.error:
            found.append("match is not a regular expression")
        if not plan.get("match"):
            found.append("match is required for a regex plan")
    return found


def _numbers_problems(numbers: Any, *, e164: bool) -> list[str]:
    pattern, what = (_E164, "E.164 numbers with a +") if e164 else (_DIGITS, "2-9 digits")
    if not numbers:
        return ["numbers must list at least one number or range"]
    found = []
    for number in numbers:
        start, end = str(number.get("start") or ""), str(number.get("end") or number.get("start") or "")
        if not pattern.match(start) or not pattern.match(end):
            found.append(f"numbers must be {what}, got {start}-{end}")
        elif len(start) != len(end) or int(start.lstrip("+")) > int(end.lstrip("+")):
            found.append(f"range {start}-{end} must have ends of the same length, start first")
    return found


def classify(plans: list[dict[str, Any]], number: str, country_code: str) -> dict[str, Any] | None:
    """The first plan, in priority order, that matches the dialled `number` (E.164 here), or None."""
    return next((plan for plan in plans if _matches(plan, number, country_code)), None)


def _matches(plan: dict[str, Any], number: str, country_code: str) -> bool:
    digits = number.lstrip("+")
    match_type = plan.get("matchType")
    if match_type == "e164NumberList":
        return number.startswith("+") and _in_ranges(number, plan.get("numbers") or [])
    if match_type == "numberList":
        return not number.startswith("+") and _in_ranges(number, plan.get("numbers") or [])
    if match_type == "digitLength":
        length = plan.get("digitLength") or {}
        return not number.startswith("+") and int(length["start"]) <= len(digits) <= int(length["end"])
    if match_type == "intraCountryCode":  # the site's own country, 10-15 digits in all
        return number.startswith("+") and digits.startswith(country_code) and 10 <= len(digits) <= 15
    if match_type == "interCountryCode":  # any other country (an empty list means any), 10-15 digits
        return number.startswith("+") and not digits.startswith(country_code) and 10 <= len(digits) <= 15
    if match_type == "regex":
        return re.search(str(plan.get("match") or "$^"), number) is not None
    return False


def _in_ranges(number: str, ranges: list[dict[str, Any]]) -> bool:
    for entry in ranges:
        start, end = str(entry.get("start") or ""), str(entry.get("end") or entry.get("start") or "")
        same_shape = len(number) == len(start) and number.startswith("+") == start.startswith("+")
        if same_shape and int(start.lstrip("+")) <= int(number.lstrip("+")) <= int(end.lstrip("+")):
            return True
    return False
