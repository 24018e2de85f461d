"""Genesys Cloud's platform API: OAuth client credentials, BYOC trunk base settings, sites, number plans,
outbound routes, SIP trace search.

PROVIDERS.md §4: tokens come from `POST https://login.<env>/oauth/token` (Basic
client_id:client_secret, `grant_type=client_credentials`) and are cached per
client until shortly before they expire; a 401 from the API drops the cached
token and fetches a new one once. 429 answers carry `Retry-After`, which the
shared retry policy honours. Lists are paged (`pageNumber`, `pageSize` ≤ 100).
Updates (PUT) carry the object's current `version`; a stale version answers
409, and `update_versioned` re-reads and tries again (as Terraform does).
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
from django.conf import settings

from integrations.choices import GENESYS_ENV_DOMAINS
from integrations.vendors.errors import AuthFailed, Conflict, InvalidSpec, VendorError
from integrations.vendors.http import VendorHttpClient

TRUNK_BASES = "/api/v2/telephony/providers/edges/trunkbasesettings"
SITES = "/api/v2/telephony/providers/edges/sites"
SIP_TRACES = "/api/v2/telephony/siptraces"
#: the search filters of GET /api/v2/telephony/siptraces (SDK getTelephonySiptraces)
SIP_TRACE_FILTERS = ("callId", "conversationId", "toUser", "fromUser")
#: the BYOC Cloud carrier metabase (PROVIDERS.md §4.2)
BYOC_CARRIER_METABASE = "external_sip_pcv_byoc_carrier.json"
PAGE_SIZE = 100
#: a cached token is dropped this long before Genesys says it expires
TOKEN_MARGIN_SECONDS = 60.0
#: re-read-and-retry rounds for a PUT that meets a version conflict
VERSION_ATTEMPTS = 5

# client (login URL, client id, secret digest) → (access token, expiry as time.time())
_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def env_domain(region: str) -> str:
    """The `<env>` of `api.<env>` / `login.<env>` for a Genesys region (e.g. usw2.pure.cloud)."""
    try:
        return GENESYS_ENV_DOMAINS[region]
    except KeyError:
        raise ValueError(f"unknown Genesys region {region!r}") from None


def api_base_url(region: str) -> str:
    """The API host of a region; `GENESYS_BASE_URL` overrides it (the sandbox)."""
    return settings.GENESYS_BASE_URL or f"https://api.{env_domain(region)}"


def login_base_url(region: str) -> str:
    """The login (OAuth) host of a region; `GENESYS_LOGIN_URL` overrides it (the sandbox)."""
    return settings.GENESYS_LOGIN_URL or f"https://login.{env_domain(region)}"


#: region → BYOC domain of an org on the Dynamic Cloud Voice platform: `byoc.<short AWS region>.genesys.cloud`
#: (PROVIDERS.md §4.2; the per-region short names come from a third-party table, UNCONFIRMED)
DYNAMIC_CLOUD_VOICE_DOMAINS: dict[str, str] = {
    "us_east_1": "byoc.use1.genesys.cloud",
    "us_east_2": "byoc.use2.us-gov-genesys.cloud",
    "us_west_2": "byoc.usw2.genesys.cloud",
    "ca_central_1": "byoc.cac1.genesys.cloud",
    "sa_east_1": "byoc.sae1.genesys.cloud",
    "eu_west_1": "byoc.euw1.genesys.cloud",
    "eu_west_2": "byoc.euw2.genesys.cloud",
    "eu_central_1": "byoc.euc1.genesys.cloud",
    "eu_central_2": "byoc.euc2.genesys.cloud",
    "me_central_1": "byoc.mec1.genesys.cloud",
    "ap_south_1": "byoc.aps1.genesys.cloud",
    "ap_northeast_1": "byoc.apne1.genesys.cloud",
    "ap_northeast_2": "byoc.apne2.genesys.cloud",
    "ap_northeast_3": "byoc.apne3.genesys.cloud",
    "ap_southeast_2": "byoc.apse2.genesys.cloud",
}


def byoc_domain(region: str, *, dynamic_cloud_voice: bool = False) -> str:
    """The BYOC Cloud SIP domain of a region: inbound FQDN `<identifier>.byoc.<env>` on a classic org,
    `<identifier>.byoc.<short region>.genesys.cloud` on the Dynamic Cloud Voice platform (§4.2)."""
    if dynamic_cloud_voice:
        try:
            return DYNAMIC_CLOUD_VOICE_DOMAINS[region]
        except KeyError:
            raise ValueError(f"unknown Genesys region {region!r}") from None
    return f"byoc.{env_domain(region)}"


def byoc_fqdn(identifier: str, region: str, *, dynamic_cloud_voice: bool = False) -> str:
    """The FQDN a carrier (here Synthflow) sends calls to: `<identifier>.<BYOC domain>`."""
    return f"{identifier}.{byoc_domain(region, dynamic_cloud_voice=dynamic_cloud_voice)}"


class _Login(VendorHttpClient):
    """The login host: one token request with the client's Basic credentials."""

    vendor = "genesys"

    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        super().__init__(base_url)
        raw = f"{client_id}:{client_secret}".encode()
        self._basic = base64.b64encode(raw).decode()

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Basic {self._basic}"}

    def error_message(self, response: httpx.Response) -> tuple[str, str]:
        # {error, description, error_description} (§4.1)
        try:
            body = response.json()
        except ValueError:
            return (response.text[:300] or response.reason_phrase, "")
        if not isinstance(body, dict):
            return (response.reason_phrase, "")
        text = body.get("error_description") or body.get("description") or body.get("error")
        return (f"OAuth token refused: {text or response.reason_phrase}", "client_secret")


class GenesysClient(VendorHttpClient):
    """One OAuth client-credentials client of one Genesys Cloud org (region)."""

    vendor = "genesys"

    def __init__(self, client_id: str, client_secret: str, region: str) -> None:
        super().__init__(api_base_url(region))
        self.region = region
        self.client_id = client_id
        self._login = _Login(login_base_url(region), client_id, client_secret)
        digest = hashlib.sha256(client_secret.encode()).hexdigest()[:16]
        self._token_key = (self._login.base_url, client_id, digest)

    # -- auth ------------------------------------------------------------------------------------
    def _token(self) -> str:
        with _tokens_lock:
            cached = _tokens.get(self._token_key)
            if cached and cached[1] > time.time():
                return cached[0]
        answer = self._login.request("POST", "/oauth/token", data={"grant_type": "client_credentials"}).json()
        token = str(answer.get("access_token") or "")
        if not token:
            raise AuthFailed("the login host answered without an access token", vendor=self.vendor)
        lifetime = float(answer.get("expires_in") or 0)
        expires = time.time() + max(lifetime - TOKEN_MARGIN_SECONDS, lifetime / 2)
        with _tokens_lock:
            _tokens[self._token_key] = (token, expires)
        return token

    def _drop_token(self) -> None:
        with _tokens_lock:
            _tokens.pop(self._token_key, None)

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token()}"}

    def on_auth_failure(self) -> bool:
        """A 401: the token expired or was revoked; get a new one and try once more."""
        self._drop_token()
        return True

    def error_message(self, response: httpx.Response) -> tuple[str, str]:
        # ErrorBody {message, code, status, errors[]...} (§4.1)
        try:
            body = response.json()
        except ValueError:
            return (response.text[:300] or response.reason_phrase, "")
        if not isinstance(body, dict):
            return (response.reason_phrase, "")
        message = str(body.get("message") or body.get("code") or response.reason_phrase)
        field = ""
        for word in message.replace(";", " ").split():
            if word.startswith("trunk_") or word in ("name", "inboundSite", "version", "properties"):
                field = word.rstrip(".,:")
                break
        return (message, field)

    # -- generic ---------------------------------------------------------------------------------
    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return self.request("GET", path, params=params or None).json()

    def paged(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every entity of a paged list, page by page (`pageSize` 100)."""
        number = 1
        while True:
            page = self.get(path, pageSize=PAGE_SIZE, pageNumber=number, **params)
            yield from page.get("entities") or []
            if number >= int(page.get("pageCount") or 1) or not page.get("entities"):
                return
            number += 1

    def update_versioned(
        self,
        path: str,
        change: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        attempts: int = VERSION_ATTEMPTS,
    ) -> dict[str, Any]:
        """GET the object, PUT `change(current)` with the current version; on 409 re-read and retry."""
        last: VendorError | None = None
        for _ in range(attempts):
            current = self.get(path)
            body = change(current)
            body["version"] = current["version"]
            try:
                return self.request("PUT", path, json=body).json()
            except Conflict as conflict:
                last = conflict
        assert last is not None
        raise last

    # -- trunk base settings (§4.2) ----------------------------------------------------------------
    def trunk_template(self, metabase: str = BYOC_CARRIER_METABASE) -> dict[str, Any]:
        """A pre-filled TrunkBase with every property key of the metabase and its defaults."""
        return self.get(f"{TRUNK_BASES}/template", trunkMetabaseId=metabase)

    def list_trunk_bases(self, name: str = "") -> list[dict[str, Any]]:
        """The org's trunk bases (soft-deleted ones included, `state: deleted`), optionally by name."""
        params = {"name": name} if name else {}
        return list(self.paged(TRUNK_BASES, **params))

    def get_trunk_base(self, trunk_id: str) -> dict[str, Any]:
        return self.get(f"{TRUNK_BASES}/{trunk_id}", ignoreHidden="true")

    def create_trunk_base(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", TRUNK_BASES, json=body).json()

    def update_trunk_base(
        self, trunk_id: str, change: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> dict[str, Any]:
        return self.update_versioned(f"{TRUNK_BASES}/{trunk_id}", change)

    def delete_trunk_base(self, trunk_id: str) -> None:
        self.request("DELETE", f"{TRUNK_BASES}/{trunk_id}")

    # -- sites, number plans and outbound routes (§4.3) ------------------------------------------------
    def get_site(self, site_id: str) -> dict[str, Any]:
        return self.get(f"{SITES}/{site_id}")

    def byoc_site(self, site_id: str) -> dict[str, Any]:
        """The site, refused when Genesys manages it: the API cannot change a managed site or its
        routes (Terraform provider: site and outbound route notes), and its routes carry the org's
        Genesys Cloud Voice calls."""
        site = self.get_site(site_id)
        if site.get("managed"):
            raise InvalidSpec(
                f"site {site.get('name') or site_id} is managed by Genesys (Genesys Cloud Voice) and cannot "
                "be changed; choose a BYOC Cloud site of your own (Admin → Telephony → Sites)",
                vendor="genesys",
                field="site_id",
            )
        return site

    def list_number_plans(self, site_id: str) -> list[dict[str, Any]]:
        """The site's number plans in priority order: a plain list (SDK get..._site_numberplans)."""
        answer = self.request("GET", f"{SITES}/{site_id}/numberplans").json()
        return [plan for plan in answer if isinstance(plan, dict)] if isinstance(answer, list) else []

    def update_number_plans(
        self, site_id: str, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        """PUT `change(current plans)` as the site's whole list (order = priority; plans left out are
        removed); each listed plan carries its current version, so a 409 re-reads and tries again."""
        last: VendorError | None = None
        for _ in range(VERSION_ATTEMPTS):
            plans = change(self.list_number_plans(site_id))
            try:
                return self.request("PUT", f"{SITES}/{site_id}/numberplans", json=plans).json()
            except Conflict as conflict:
                last = conflict
        assert last is not None
        raise last

    def list_outbound_routes(self, site_id: str, name: str = "") -> list[dict[str, Any]]:
        params = {"name": name} if name else {}
        return list(self.paged(f"{SITES}/{site_id}/outboundroutes", **params))

    def get_outbound_route(self, site_id: str, route_id: str) -> dict[str, Any]:
        return self.get(f"{SITES}/{site_id}/outboundroutes/{route_id}")

    def create_outbound_route(self, site_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", f"{SITES}/{site_id}/outboundroutes", json=body).json()

    def update_outbound_route(
        self, site_id: str, route_id: str, change: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> dict[str, Any]:
        return self.update_versioned(f"{SITES}/{site_id}/outboundroutes/{route_id}", change)

    def delete_outbound_route(self, site_id: str, route_id: str) -> None:
        self.request("DELETE", f"{SITES}/{site_id}/outboundroutes/{route_id}")

    # -- SIP traces (SDK getTelephonySiptraces) ----------------------------------------------------------
    def search_sip_traces(self, start: datetime, end: datetime, **filters: str) -> list[dict[str, Any]]:
        """The org's SIP messages (HomerRecords: callid, date, method, msg, ...) between `start` and `end`
        matching the given callId / conversationId / toUser / fromUser (at least one is needed)."""
        unknown = set(filters) - set(SIP_TRACE_FILTERS)
        if unknown:
            raise ValueError(f"unknown SIP trace filters {sorted(unknown)}")
        chosen = {name: value for name, value in filters.items() if value}
        if not chosen:
            raise ValueError("a SIP trace search needs a callId, conversationId, toUser or fromUser")
        answer = self.get(SIP_TRACES, dateStart=_instant(start), dateEnd=_instant(end), **chosen)
        return [record for record in answer.get("data") or [] if isinstance(record, dict)]


def _instant(moment: datetime) -> str:
    """`yyyy-MM-ddTHH:mm:ss.mmmZ`, as Genesys's date parameters are written."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
