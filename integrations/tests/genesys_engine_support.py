"""A genesys_synthflow integration on the sandbox, and Genesys's API as an admin uses it: shared by the
engine's genesys_synthflow tests, the crash tests, the call ladders and bench/ (moved out of
test_engine_genesys_synthflow.py, which they imported)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from django.contrib.auth import get_user_model

from integrations.actions import create_integration, create_provider_account
from integrations.engine.names import integration_prefix
from integrations.models import Integration, ProviderAccount
from integrations.tests.engine_support import Sandbox
from tenants.actions import create_tenant
from tenants.audit import Actor

NUMBER = "+14155550123"
TRUNKS = "/api/v2/telephony/providers/edges/trunkbasesettings"
SITES = "/api/v2/telephony/providers/edges/sites"
#: the objects a genesys_synthflow integration owns at its vendors
OWNED_OBJECT_TYPES = {
    "genesys.trunkbase",
    "genesys.number_plan",
    "genesys.outbound_route",
    "synthflow.number",
}


@dataclass
class GenesysSetup:
    integration: Integration
    genesys: ProviderAccount
    synthflow: ProviderAccount
    genesys_account: dict[str, str]
    synthflow_account: dict[str, str]

    @property
    def prefix(self) -> str:
        return integration_prefix(self.integration.tenant.slug, self.integration.name)

    def refresh(self) -> Integration:
        self.integration = Integration.objects.select_related("tenant").get(pk=self.integration.pk)
        return self.integration


def make_genesys_synthflow(
    sandbox: Sandbox,
    *,
    slug: str = "acme",
    platform: str = "classic",
    synthflow_region: str = "global",
    **config: Any,
) -> GenesysSetup:
    actor = Actor.system()
    owner = get_user_model().objects.create_user(username=f"{slug}-owner", email=f"owner@{slug}.test")
    tenant = create_tenant(slug, slug.title(), owner=owner, actor=actor)
    gen = sandbox.post("accounts", {"vendor": "genesys", "platform": platform})
    sf = sandbox.post("accounts", {"vendor": "synthflow", "region": synthflow_region})
    genesys = create_provider_account(
        tenant, name="genesys", kind="genesys", actor=actor,
        settings={"region": gen["region"], "client_id": gen["client_id"]},
        secrets={"client_secret": gen["client_secret"]},
    )  # fmt: skip
    synthflow = create_provider_account(
        tenant, name="synthflow", kind="synthflow", actor=actor,
        settings={"region": synthflow_region, "workspace_id": sf["workspace_id"]},
        secrets={"api_key": sf["api_key"]},
    )  # fmt: skip
    integration = create_integration(
        tenant,
        name="care",
        kind="genesys_synthflow",
        accounts={"genesys": genesys, "synthflow": synthflow},
        config={
            "site_id": gen["site_id"],
            "inbound_identifier": f"pb-{slug}",
            "phone_number": NUMBER,
            "caller_id_name": "Acme Care",
            "synthflow_assistant_id": sf["assistant_id"],
            **config,
        },
        actor=actor,
    )
    return GenesysSetup(integration, genesys, synthflow, gen, sf)


class GenesysApi:
    """Direct Genesys API access, as an admin editing things in the Genesys UI would."""

    def __init__(self, sandbox: Sandbox, account: dict[str, str]) -> None:
        token = httpx.post(
            f"{sandbox.url}/genesys/oauth/token",
            auth=(account["client_id"], account["client_secret"]),
            data={"grant_type": "client_credentials"},
        ).json()["access_token"]
        self.http = httpx.Client(
            base_url=f"{sandbox.url}/genesys", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )

    def trunk(self, trunk_id: str) -> dict[str, Any]:
        return self.http.get(f"{TRUNKS}/{trunk_id}").raise_for_status().json()

    def edit_trunk(self, trunk_id: str, **instances: Any) -> None:
        current = self.trunk(trunk_id)
        props = {k: {"value": {"instance": v["value"]["instance"]}} for k, v in current["properties"].items()
                 if v["value"]["instance"] is not None}  # fmt: skip
        props.update({k: {"value": {"instance": v}} for k, v in instances.items()})
        body = {**{k: current[k] for k in ("name", "trunkMetabase", "trunkType", "version")},
                "inboundSite": {"id": current["inboundSite"]["id"]}, "properties": props}  # fmt: skip
        self.http.put(f"{TRUNKS}/{trunk_id}", json=body).raise_for_status()


def live_objects(sandbox: Sandbox, setup: GenesysSetup) -> list[tuple[str, str]]:
    return [(o["type"], o["name"]) for o in sandbox.objects_named(setup.prefix)]


def call_through_genesys(
    sandbox: Sandbox, setup: GenesysSetup, to: str = NUMBER, **extra: Any
) -> dict[str, Any]:
    """Architect transfers a caller to `to`; Genesys picks the route and trunk by the site's number plans."""
    return sandbox.call(via="genesys", to=to, **{"from": "+15105550101", **extra})
