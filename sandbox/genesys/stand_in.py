"""The Genesys Cloud stand-in: OAuth, BYOC trunk base settings, sites, number plans, outbound routes,
SIP traces.

Request bodies are also read against Genesys's own SDK models (`sdk_models.py`): an attribute the
SDK's model for the operation does not have, a wrong type or an enum value it does not know is a 400
(Genesys's handling of unknown attributes is UNCONFIRMED; the sandbox takes the stricter reading).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
import secrets
import threading
import time
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.core.field_rules import Violation, describe
from sandbox.core.http_routes import Route, RouteTable
from sandbox.core.http_vendor import HttpVendorStandIn, VendorHttpError, json_response, new_id
from sandbox.core.vendor import LiveObject
from sandbox.genesys import number_plans, oauth, rules, sdk_models, siptraces, sites, trunkbases
from sandbox.genesys.regions import PLATFORMS, REGION_DOMAINS, byoc_domain
from sandbox.genesys.trunk_properties import ALLOW_ALL, DYNAMIC_CLOUD_VOICE, PROPERTY_RULES, defaults

TRUNKS = "/api/v2/telephony/providers/edges/trunkbasesettings"
SITES = "/api/v2/telephony/providers/edges/sites"
ROUTES_OF_SITE = SITES + "/{site_id}/outboundroutes"
PAGING = rules.paging_query_rules()

ROUTES = RouteTable(
    [
        Route("POST", "/oauth/token", "PostToken", oauth.post_token, public=True),
        Route("GET", TRUNKS, "ListTrunkBaseSettings", trunkbases.list_trunk_bases, query_rules=PAGING),
        Route("POST", TRUNKS, "CreateTrunkBaseSettings", trunkbases.create_trunk_base,
              rules.trunk_base_rules(update=False)),
        Route("GET", TRUNKS + "/template", "GetTrunkBaseSettingsTemplate", trunkbases.get_template,
              query_rules=rules.template_query_rules()),
        Route("GET", TRUNKS + "/{id}", "GetTrunkBaseSettings", trunkbases.get_trunk_base),
        Route("PUT", TRUNKS + "/{id}", "UpdateTrunkBaseSettings", trunkbases.update_trunk_base,
              rules.trunk_base_rules(update=True)),
        Route("DELETE", TRUNKS + "/{id}", "DeleteTrunkBaseSettings", trunkbases.delete_trunk_base),
        Route("GET", SITES, "ListSites", sites.list_sites, query_rules=PAGING),
        Route("GET", SITES + "/{site_id}", "GetSite", sites.get_site),
        Route("GET", ROUTES_OF_SITE, "ListOutboundRoutes", sites.list_outbound_routes, query_rules=PAGING),
        Route("POST", ROUTES_OF_SITE, "CreateOutboundRoute", sites.create_outbound_route,
              rules.outbound_route_rules(update=False)),
        Route("GET", ROUTES_OF_SITE + "/{route_id}", "GetOutboundRoute", sites.get_outbound_route),
        Route("PUT", ROUTES_OF_SITE + "/{route_id}", "UpdateOutboundRoute", sites.update_outbound_route,
              rules.outbound_route_rules(update=True)),
        Route("DELETE", ROUTES_OF_SITE + "/{route_id}", "DeleteOutboundRoute", sites.delete_outbound_route),
        Route("GET", SITES + "/{site_id}/numberplans", "GetNumberPlans", number_plans.get_number_plans),
        Route("PUT", SITES + "/{site_id}/numberplans", "UpdateNumberPlans", number_plans.put_number_plans),
        Route("GET", "/api/v2/telephony/siptraces", "SearchSipTraces", siptraces.search_sip_traces,
              query_rules=rules.sip_trace_query_rules()),
    ]
)  # fmt: skip

#: ErrorBody `code` per status when a caller (e.g. an injected fault) gives none
_CODES = {
    400: "bad.request",
    401: "bad.credentials",
    403: "missing.permissions",
    404: "not.found",
    405: "method.not.allowed",
    409: "general.conflict",
    429: "too.many.requests",
    503: "service.unavailable",
}
#: what a new site's default route carries (a Terraform export of a real org)
DEFAULT_ROUTE_CLASSIFICATIONS = ("Emergency", "National", "International", "Network")


class GenesysStandIn(HttpVendorStandIn):
    """Genesys Cloud's telephony API for BYOC Cloud trunks; one org per OAuth client."""

    vendor = "genesys"
    path_prefix = "/genesys"
    routes = ROUTES
    trunk_base_uri = TRUNKS
    #: refuse property keys the BYOC template does not list (real behaviour UNCONFIRMED)
    strict_unknown_trunk_properties: bool = True
    #: seconds an access token lives (`expires_in`; Genesys's default is UNCONFIRMED)
    token_lifetime_seconds: int = 86400
    #: requests per token per minute before 429 (client-credentials default 300, UNCONFIRMED)
    rate_limit_per_minute: int = 300
    #: GETs a soft-deleted trunk still answers (with state deleted) before it is gone (404)
    deleted_gets_before_404: int = 2
    tunables = ("token_lifetime_seconds", "rate_limit_per_minute", "deleted_gets_before_404")
    option_docs = {
        "strict_unknown_trunk_properties": "refuse trunk property keys that are not in the BYOC template",
        "token_lifetime_seconds": "access token lifetime (expires_in); expired tokens get 401",
        "rate_limit_per_minute": "requests per token per minute before 429 with Retry-After",
        "deleted_gets_before_404": "GETs a soft-deleted trunk answers with state deleted before 404",
    }
    rule_notes = rules.RULE_NOTES

    def __init__(self, sandbox: Any) -> None:
        super().__init__(sandbox)
        # The SDK's package takes seconds to import: start now, not inside the first request.
        threading.Thread(target=sdk_models.sdk, name="genesys-sdk-import", daemon=True).start()

    def reset_state(self) -> None:
        """Forget every OAuth client, token, site, trunk, route and SIP trace."""
        self.clients: dict[str, dict[str, str]] = {}  # client_id → {client_id, client_secret, org_id}
        self.orgs: dict[str, dict[str, str]] = {}  # org id → {region, platform, site_id, managed_site_id}
        self.tokens: dict[str, dict[str, Any]] = {}  # access token → {org_id, client_id, expires_at}
        self.request_times: dict[str, list[float]] = {}  # access token → request times in the last minute
        self.sites: dict[str, dict[str, Any]] = {}
        self.trunkbases: dict[str, dict[str, Any]] = {}
        self.outbound_routes: dict[str, dict[str, Any]] = {}
        self.number_plans: dict[str, list[dict[str, Any]]] = {}  # site id → plans in priority order
        self.sip_traces: dict[str, list[dict[str, Any]]] = {}  # org id → messages
        #: trunks saved with an allow-all ACL entry (Genesys accepts it; diagnostics flag it)
        self.allow_all_acls: list[dict[str, str]] = []

    # -- accounts, auth, rate limit and errors ------------------------------------------------------

    def create_account(self, params: dict[str, Any]) -> dict[str, Any]:
        """A new org with an OAuth client: `{org_id, client_id, client_secret, region, platform, site_id,
        managed_site_id}`.

        The org has Genesys's managed site `PureCloud Voice - AWS` and the customer's own Cloud site
        (`site_id`, the org's default site) with the default number plans and a `Default Outbound
        Route` (Emergency, National, International, Network) over the managed PSTN trunk, as a
        Terraform export of a real org shows. `platform` is `classic` or `dynamic_cloud_voice`.
        """
        region, platform = params.get("region", "us_west_2"), params.get("platform", "classic")
        if region not in REGION_DOMAINS:
            raise ValueError(f"genesys region must be one of {', '.join(REGION_DOMAINS)}, got {region!r}")
        if platform not in PLATFORMS:
            raise ValueError(f"genesys platform must be one of {', '.join(PLATFORMS)}, got {platform!r}")
        with self._lock:
            org_id, client_id, secret, now = new_id(), new_id(), secrets.token_urlsafe(32), self.now()
            location = new_id()
            managed = sites.new_site(org_id, now, managed=True, location_id=location)
            own = sites.new_site(org_id, now, managed=False, location_id=location)
            self.orgs[org_id] = {"region": region, "platform": platform, "site_id": own["id"],
                                 "managed_site_id": managed["id"]}  # fmt: skip
            pstn = trunkbases.managed_pstn_trunk(org_id, now, self.trunk_defaults(org_id))
            self.trunkbases[pstn["id"]] = pstn
            for site in (managed, own):
                self.sites[site["id"]] = site
                self.number_plans[site["id"]] = number_plans.default_plans(now)
                route = {"id": new_id(), "org_id": org_id, "site_id": site["id"], "version": 1,
                         "dateCreated": now, "dateModified": now, "name": "Default Outbound Route",
                         "description": None, "classificationTypes": list(DEFAULT_ROUTE_CLASSIFICATIONS),
                         "enabled": True, "distribution": "SEQUENTIAL",
                         "trunk_ids": [pstn["id"]]}  # fmt: skip
                self.outbound_routes[route["id"]] = route
            self.clients[client_id] = {"client_id": client_id, "client_secret": secret, "org_id": org_id}
            return {"org_id": org_id, "client_id": client_id, "client_secret": secret, "region": region,
                    "platform": platform, "site_id": own["id"], "managed_site_id": managed["id"]}  # fmt: skip

    def authenticate(self, request: Request) -> Any:
        """The org of a live bearer token, or Genesys's 401."""
        token = _bearer(request)
        if not token:
            return self.error(
                401,
                "authentication.required",
                "No authentication bearer token specified in authorization header.",
            )
        record = self.tokens.get(token)
        if record is None or record["expires_at"] <= time.time():
            return self.error(401, "bad.credentials", "Invalid login credentials.")
        return record["org_id"]

    def admit(self, request: Request, account: Any, route: Route) -> Response | None:
        """429 with Retry-After once a token passes `rate_limit_per_minute` requests in 60 s."""
        if route.public:
            return None
        now, token = time.time(), _bearer(request)
        window = [t for t in self.request_times.get(token, []) if now - t < 60]
        self.request_times[token] = window
        if len(window) >= self.rate_limit_per_minute:
            response = self.error(
                429,
                "too.many.requests",
                f"Rate limit exceeded the maximum [{self.rate_limit_per_minute}] requests within [60] "
                "seconds",
            )
            response.headers["Retry-After"] = str(max(1, math.ceil(60 - (now - window[0]))))
            return response
        window.append(now)
        return None

    def throttle(self) -> Response:
        """Genesys's 429, with the Retry-After header it always sends."""
        response = self.error(429, "too.many.requests", "Rate limit exceeded the maximum")
        response.headers["Retry-After"] = "1"
        return response

    def error(self, status: int, code: str, message: str) -> Response:
        """Genesys's `ErrorBody` {message, code, status, messageWithParams, contextId, errors, ...}."""
        return json_response(
            _error_body(status, code or _CODES.get(status, "internal.server.error"), message), status
        )

    def render_error(self, exc: VendorHttpError) -> Response:
        """Field violations are listed one by one in `errors`."""
        message = exc.message if isinstance(exc.message, str) else "; ".join(exc.message)
        body = _error_body(exc.status, exc.code or _CODES.get(exc.status, "bad.request"), message)
        body["errors"] = [_error_body(exc.status, exc.code, v.message) for v in exc.violations]
        return json_response(body, exc.status, exc.headers)

    # -- helpers the handlers share -------------------------------------------------------------------

    def raise_violations(self, violations: list[Violation]) -> None:
        """Genesys's 400 naming every broken rule."""
        if violations:
            message = "; ".join(v.message for v in violations)
            raise VendorHttpError(400, "bad.request", message, violations=violations)

    def owned_site(self, org_id: str, site_id: str, *, missing_status: int = 404) -> dict[str, Any]:
        """The org's site `site_id`, or a 404 (or 400 when it is named inside a body)."""
        site = self.sites.get(site_id)
        if site is None or site["org_id"] != org_id:
            code = "not.found" if missing_status == 404 else "bad.request"
            raise VendorHttpError(missing_status, code, f"Site {site_id} not found")
        return site

    def refuse_managed_site(self, site: dict[str, Any]) -> None:
        """A managed site and what hangs off it cannot be changed through the API (sites.py's sources)."""
        if site["managed"]:
            raise VendorHttpError(
                400, "bad.request", f"Site {site['name']} is managed by Genesys Cloud and cannot be changed"
            )

    def refuse_sdk_problems(self, body: Any, model: str) -> None:
        """400 naming what keeps `body` from being the SDK's `model` (unknown attributes included)."""
        found = sdk_models.problems(body, model)
        if found:
            raise VendorHttpError(400, "bad.request", "; ".join(found))

    def trunk_defaults(self, org_id: str) -> dict[str, Any]:
        """The BYOC property defaults of the org's trunks (its platform decides the routing capacity)."""
        return defaults(dynamic_cloud_voice=self.orgs[org_id]["platform"] == "dynamic_cloud_voice")

    def site_ref(self, site_id: str) -> dict[str, str]:
        """A domain entity reference to a site: `{id, name, selfUri}`."""
        site = self.sites.get(site_id, {})
        return {"id": site_id, "name": site.get("name", ""), "selfUri": f"{SITES}/{site_id}"}

    def name_matches(self, name: str, wanted: str) -> bool:
        """Genesys's `name` filter: case-insensitive, `*` as a wildcard (`pb-acme*`)."""
        return (
            fnmatch.fnmatchcase(name.lower(), wanted.lower())
            if "*" in wanted
            else name.lower() == wanted.lower()
        )

    def page(self, base: str, query: dict[str, str], entities: list[dict[str, Any]]) -> Response:
        """A Genesys entity listing `{entities, pageSize, pageNumber, total, pageCount, ...Uri}`."""
        size, number = int(query.get("pageSize", 25)), int(query.get("pageNumber", 1))
        count = max(1, math.ceil(len(entities) / size))
        listing: dict[str, Any] = {
            "entities": entities[(number - 1) * size : number * size],
            "pageSize": size,
            "pageNumber": number,
            "total": len(entities),
            "pageCount": count,
            "firstUri": f"{base}?pageSize={size}&pageNumber=1",
            "selfUri": f"{base}?pageSize={size}&pageNumber={number}",
            "lastUri": f"{base}?pageSize={size}&pageNumber={count}",
        }
        if number < count:
            listing["nextUri"] = f"{base}?pageSize={size}&pageNumber={number + 1}"
        if number > 1:
            listing["previousUri"] = f"{base}?pageSize={size}&pageNumber={number - 1}"
        return json_response(listing)

    def note_allow_all(self, trunk: dict[str, Any]) -> None:
        """Record a trunk whose ACL allows every address: accepted, as Genesys does, but visible to tests."""
        for cidr in trunk["instances"].get("trunk_access_acl_allowList") or []:
            if cidr in ALLOW_ALL:
                self.allow_all_acls.append({"trunk_id": trunk["id"], "name": trunk["name"], "cidr": cidr})

    def now(self) -> str:
        """ISO-8601 UTC with milliseconds, as Genesys's dates."""
        return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def validation_rules(self) -> list[str]:
        """The route tables' rules plus the BYOC property rules applied to trunk bodies."""
        lines = super().validation_rules()
        for rule in PROPERTY_RULES:
            lines += [
                f"Create/UpdateTrunkBaseSettings: {rule.path} {atom} [{rule.source}]"
                for atom in describe(rule)
            ]
        return lines

    # -- what the sandbox's simulated Genesys call uses ------------------------------------------------------

    def trunk_for_byoc_host(self, host: str) -> dict[str, Any] | None:
        """The live trunk whose inbound FQDN `<identifier>.byoc.<region domain>` is `host`."""
        with self._lock:
            identifier, _, domain = host.lower().partition(".")
            for trunk in self.trunkbases.values():
                region = self.orgs[trunk["org_id"]]["region"]
                wanted = (trunk["instances"].get("trunk_sip_termination_uri") or "").lower()
                dynamic = trunk["instances"].get(DYNAMIC_CLOUD_VOICE) is True
                if (
                    trunk["state"] == "active"
                    and wanted == identifier
                    and domain == byoc_domain(region, dynamic_cloud_voice=dynamic)
                ):
                    return trunkbases.public_trunk(self, trunk) | {"orgId": trunk["org_id"]}
            return None

    def append_sip_traces(self, org_id: str, messages: list[dict[str, Any]]) -> None:
        """Store SIP trace records (HomerRecords with callid; date defaults to now) for SearchSipTraces."""
        with self._lock:
            if org_id not in self.orgs:
                raise ValueError(f"no Genesys org {org_id}")
            self.sip_traces.setdefault(org_id, []).extend(
                siptraces.stored_message(m, self.now()) for m in messages
            )

    # -- ledger -----------------------------------------------------------------------------------------

    def live_objects(self) -> list[LiveObject]:
        """Every live trunk base (soft-deleted ones are gone for the ledger), site and outbound route."""
        with self._lock:
            return [
                *(
                    LiveObject("genesys", "genesys.trunkbase", t["id"], t["name"], t["state"])
                    for t in self.trunkbases.values()
                    if t["state"] != "deleted"
                ),
                *(LiveObject("genesys", "genesys.site", s["id"], s["name"]) for s in self.sites.values()),
                *(
                    LiveObject("genesys", "genesys.outbound_route", r["id"], r["name"])
                    for r in self.outbound_routes.values()
                ),
                *(
                    LiveObject("genesys", "genesys.number_plan", p["id"], p["name"])
                    for plans in self.number_plans.values()
                    for p in plans
                ),
            ]


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {
        "message": message,
        "code": code,
        "status": status,
        "messageWithParams": message,
        "messageParams": {},
        "contextId": new_id(),
        "details": [],
        "errors": [],
    }
