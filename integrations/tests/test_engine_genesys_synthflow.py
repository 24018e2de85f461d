"""genesys_synthflow end to end: a real Celery worker, the database, the sandbox's Genesys and Synthflow."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.exceptions import ValidationError

from integrations.engine.runs import plan_integration
from integrations.genesys_hints import genesys_hints
from integrations.models import Integration
from integrations.models.engine import ResourceNode, Run, RunKind, RunState
from integrations.resources.sip_credentials import open_credentials
from integrations.tests.engine_support import (
    Sandbox,
    events_text,
    run_to_end,
)
from integrations.tests.genesys_engine_support import (
    NUMBER,
    OWNED_OBJECT_TYPES,
    SITES,
    GenesysApi,
    GenesysSetup,
    call_through_genesys,
    live_objects,
    make_genesys_synthflow,
)
from integrations.vendors.synthflow import SIGNALLING_CIDRS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def setup(sandbox: Sandbox, engine_worker: Any) -> GenesysSetup:
    return make_genesys_synthflow(sandbox)


def _node(setup: GenesysSetup, name: str) -> ResourceNode:
    return ResourceNode.objects.get(integration_id=setup.integration.pk, node=name)


def test_apply_provisions_everything_and_a_second_apply_writes_nothing(
    sandbox: Sandbox, setup: GenesysSetup
) -> None:
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    rows = ResourceNode.objects.filter(integration_id=setup.integration.pk)
    assert all(r.status == "ready" for r in rows), [(r.node, r.status, r.message) for r in rows]
    live = live_objects(sandbox, setup)
    assert {t for t, _ in live} == OWNED_OBJECT_TYPES and len(live) == len(set(live))

    api = GenesysApi(sandbox, setup.genesys_account)
    trunk = api.trunk(_node(setup, "trunk").external_id)
    values = {k: v["value"]["instance"] for k, v in trunk["properties"].items()}
    assert trunk["trunkMetabase"]["id"] == "external_sip_pcv_byoc_carrier.json"
    assert trunk["inboundSite"]["id"] == setup.genesys_account["site_id"]
    assert values["trunk_sip_termination_uri"] == "pb-acme"
    assert values["trunk_transport_serverProxyList"] == ["sip.synthflow.ai:32681"]
    assert sorted(values["trunk_access_acl_allowList"]) == sorted(SIGNALLING_CIDRS["global"])
    assert values["trunk_sip_authentication_credentials_username"]
    assert values["trunk_outboundIdentity_callingName"] == "Acme Care"
    # Seed 004's trunk settings: the outbound termination FQDN, the digest realm, a caller address.
    assert values["trunk_sip_termination_outbound_fqdn"] == "sip.synthflow.ai"
    assert values["trunk_sip_authentication_credentials_realm"] == "sip.synthflow.ai"
    assert values["trunk_outboundIdentity_callingAddress"] == NUMBER
    hints = genesys_hints(setup.refresh())
    assert hints.fqdn == "pb-acme.byoc.usw2.pure.cloud"
    assert NUMBER in hints.architect_hint and hints.fqdn in hints.architect_hint
    # The password is stored only as ciphertext and shown nowhere.
    password = open_credentials(_node(setup, "sip_credentials").outputs["sealed"])["password"]
    assert password not in events_text(run) and password not in str(Run.objects.get(pk=run.pk).plan)
    assert password not in str([r.outputs for r in rows])

    before = sandbox.request_count()
    again = run_to_end(setup.integration, RunKind.APPLY)
    assert again.state == RunState.SUCCEEDED, events_text(again)
    assert sandbox.writes_since(before) == []
    _, plan = plan_integration(setup.refresh())
    assert [a for a in plan["actions"] if a["action"] != "no-op"] == []


def test_the_synthflow_number_points_back_at_the_byoc_fqdn_and_a_call_reaches_the_assistant(
    sandbox: Sandbox, setup: GenesysSetup
) -> None:
    assert run_to_end(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED
    number = _node(setup, "synthflow_number").outputs
    assert number["termination_uri"] == "pb-acme.byoc.usw2.pure.cloud"

    answered = call_through_genesys(sandbox, setup, headers={"X-EI": "E.crm-42;", "X-Customer": "Ada"})

    assert answered["status"] == 200, answered
    assert answered["request_uri"] == f"sip:{NUMBER}@sip.synthflow.ai:32681"
    assert answered["route"]["name"] == _node(setup, "outbound_route").outputs["route_name"]
    received = answered["synthflow"]
    assert received["model_id"] == setup.synthflow_account["assistant_id"]
    assert received["external_id"] == "crm-42" and received["variables"]["X-Customer"] == "Ada"


def test_drift_in_the_trunk_is_healed_and_the_call_works_again(sandbox: Sandbox, setup: GenesysSetup) -> None:
    assert run_to_end(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED
    api = GenesysApi(sandbox, setup.genesys_account)
    trunk_id = _node(setup, "trunk").external_id
    api.edit_trunk(
        trunk_id,
        trunk_transport_serverProxyList=["sip.example.net:5060"],
        trunk_access_acl_allowList=["0.0.0.0/0"],
        trunk_sip_authentication_credentials_password="guessed",
    )
    assert call_through_genesys(sandbox, setup)["status"] == 408

    run = run_to_end(setup.integration, RunKind.RECONCILE)

    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert run.events.filter(node="trunk", action="update").exists()
    values = {k: v["value"]["instance"] for k, v in api.trunk(trunk_id)["properties"].items()}
    assert values["trunk_transport_serverProxyList"] == ["sip.synthflow.ai:32681"]
    assert sorted(values["trunk_access_acl_allowList"]) == sorted(SIGNALLING_CIDRS["global"])
    assert call_through_genesys(sandbox, setup)["status"] == 200


def test_a_trunk_taken_off_the_route_is_put_back(sandbox: Sandbox, setup: GenesysSetup) -> None:
    assert run_to_end(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED
    api = GenesysApi(sandbox, setup.genesys_account)
    site, route_id = setup.genesys_account["site_id"], _node(setup, "outbound_route").external_id
    route = api.http.get(f"{SITES}/{site}/outboundroutes/{route_id}").json()
    route["externalTrunkBases"] = []
    api.http.put(f"{SITES}/{site}/outboundroutes/{route_id}", json=route).raise_for_status()
    assert call_through_genesys(sandbox, setup)["status"] == 503  # the route is still there, with no trunk

    assert run_to_end(setup.integration, RunKind.RECONCILE).state == RunState.SUCCEEDED
    assert call_through_genesys(sandbox, setup)["status"] == 200


def test_version_conflicts_and_429s_converge(sandbox: Sandbox, setup: GenesysSetup) -> None:
    assert run_to_end(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED
    api = GenesysApi(sandbox, setup.genesys_account)
    trunk_id = _node(setup, "trunk").external_id
    api.edit_trunk(trunk_id, trunk_outboundIdentity_callingName="Edited")
    sandbox.fault("genesys", "UpdateTrunkBaseSettings", "error", times=2, status=409,
                  code="general.conflict", message="version mismatch")  # fmt: skip
    sandbox.fault("genesys", "GetTrunkBaseSettings", "throttle", times=2)

    run = run_to_end(setup.integration, RunKind.RECONCILE)

    assert run.state == RunState.SUCCEEDED, events_text(run)
    values = {k: v["value"]["instance"] for k, v in api.trunk(trunk_id)["properties"].items()}
    assert values["trunk_outboundIdentity_callingName"] == "Acme Care"
    faulted = [r for r in sandbox.ledger()["requests"] if r.get("fault")]
    assert {r["operation"] for r in faulted} == {"UpdateTrunkBaseSettings", "GetTrunkBaseSettings"}


def test_teardown_after_a_full_apply_leaves_nothing_and_waits_for_the_soft_delete(
    sandbox: Sandbox, setup: GenesysSetup
) -> None:
    assert run_to_end(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED
    trunk_id = _node(setup, "trunk").external_id
    mark = sandbox.request_count()

    run = run_to_end(setup.integration, RunKind.TEARDOWN)

    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert live_objects(sandbox, setup) == []
    after = [r for r in sandbox.ledger(since=mark)["requests"] if trunk_id in r["path"]]
    delete_at = next(i for i, r in enumerate(after) if r["operation"] == "DeleteTrunkBaseSettings")
    assert any(r["operation"] == "GetTrunkBaseSettings" for r in after[delete_at + 1 :])
    assert not Integration.objects.filter(pk=setup.integration.pk).exists()


def test_teardown_after_a_half_apply_leaves_nothing(sandbox: Sandbox, setup: GenesysSetup) -> None:
    sandbox.fault("synthflow", "*", "error", times=100, status=400, message="Injected: refused")
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.FAILED
    assert _node(setup, "trunk").status == "ready"
    sandbox.clear_faults()

    teardown = run_to_end(setup.integration, RunKind.TEARDOWN)

    assert teardown.state == RunState.SUCCEEDED, events_text(teardown)
    assert live_objects(sandbox, setup) == []


def test_an_existing_route_gets_only_our_trunk_and_keeps_the_others(
    sandbox: Sandbox, engine_worker: Any
) -> None:
    first = make_genesys_synthflow(sandbox, slug="acme")
    api = GenesysApi(sandbox, first.genesys_account)
    site = first.genesys_account["site_id"]
    body = {"name": "Customer AI routes", "classificationTypes": ["AI agents"], "enabled": True}
    route = api.http.post(f"{SITES}/{site}/outboundroutes", json=body).raise_for_status().json()
    config = dict(first.integration.config, outbound_route_id=route["id"])
    first.integration.config = config
    first.integration.save(update_fields=["config"])

    assert run_to_end(first.integration, RunKind.APPLY).state == RunState.SUCCEEDED
    trunk_id = _node(first, "trunk").external_id
    got = api.http.get(f"{SITES}/{site}/outboundroutes/{route['id']}").json()
    assert [t["id"] for t in got["externalTrunkBases"]] == [trunk_id]
    assert run_to_end(first.integration, RunKind.TEARDOWN).state == RunState.SUCCEEDED
    kept = api.http.get(f"{SITES}/{site}/outboundroutes/{route['id']}")
    assert kept.status_code == 200 and kept.json()["externalTrunkBases"] == []


def test_ordinary_calls_keep_the_orgs_own_route_and_only_the_synthflow_number_reaches_synthflow(
    sandbox: Sandbox, setup: GenesysSetup
) -> None:
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    route = _node(setup, "outbound_route").outputs

    to_synthflow = call_through_genesys(sandbox, setup)
    ordinary = call_through_genesys(sandbox, setup, to="+14155550199")
    abroad = call_through_genesys(sandbox, setup, to="+442071838750")

    assert (to_synthflow["far_end"], to_synthflow["status"]) == ("synthflow", 200), to_synthflow
    assert to_synthflow["classification"] == route["classification"] == route["route_name"]
    assert to_synthflow["trunk"]["id"] == _node(setup, "trunk").external_id
    for call in (ordinary, abroad):
        assert call["far_end"] == "pstn", call
        assert call["route"]["name"] == "Default Outbound Route"
    api = GenesysApi(sandbox, setup.genesys_account)
    site = setup.genesys_account["site_id"]
    ours = api.http.get(f"{SITES}/{site}/outboundroutes/{route['route_id']}").json()
    assert ours["classificationTypes"] == [route["classification"]]
    plans = api.http.get(f"{SITES}/{site}/numberplans").json()
    assert plans[0]["name"] == route["classification"]
    assert (plans[0]["matchType"], plans[0]["numbers"]) == (
        "e164NumberList",
        [{"start": NUMBER, "end": NUMBER}],
    )

    assert run_to_end(setup.integration, RunKind.TEARDOWN).state == RunState.SUCCEEDED
    left = api.http.get(f"{SITES}/{site}/numberplans").json()
    assert route["classification"] not in [p["name"] for p in left] and left[0]["name"] == "Emergency"


def test_a_genesys_managed_site_is_refused_before_anything_is_written(
    sandbox: Sandbox, engine_worker: Any
) -> None:
    setup = make_genesys_synthflow(sandbox)
    setup.integration.config = {
        **setup.integration.config,
        "site_id": setup.genesys_account["managed_site_id"],
    }
    setup.integration.save(update_fields=["config"])
    before = sandbox.request_count()

    run = run_to_end(setup.integration, RunKind.APPLY)

    assert run.state == RunState.FAILED
    assert "PureCloud Voice - AWS is managed by Genesys" in events_text(run)
    assert [w for w in sandbox.writes_since(before) if w["vendor"] == "genesys"] == []


def test_a_dynamic_cloud_voice_org_gets_its_platforms_byoc_fqdn(sandbox: Sandbox, engine_worker: Any) -> None:
    setup = make_genesys_synthflow(sandbox, platform="dynamic_cloud_voice")

    assert run_to_end(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED

    assert _node(setup, "trunk").outputs["fqdn"] == "pb-acme.byoc.usw2.genesys.cloud"
    assert _node(setup, "synthflow_number").outputs["termination_uri"] == "pb-acme.byoc.usw2.genesys.cloud"
    assert genesys_hints(setup.refresh()).fqdn == "pb-acme.byoc.usw2.genesys.cloud"


def test_a_us_workspace_trunk_answers_synthflows_challenge_in_the_seed_realm(
    sandbox: Sandbox, engine_worker: Any
) -> None:
    setup = make_genesys_synthflow(sandbox, synthflow_region="us")
    assert run_to_end(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED

    answered = call_through_genesys(sandbox, setup)

    assert answered["status"] == 200, answered
    assert answered["request_uri"] == f"sip:{NUMBER}@sip.us.synthflow.ai:32681"
    assert answered["auth_username"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"inbound_identifier": "not a label!"}, "inbound_identifier"),
        ({"phone_number": "12345"}, "phone_number"),
        ({"transport": "sctp"}, "transport"),
        ({"caller_id_name": "x" * 41}, "caller_id_name"),
    ],
)
def test_bad_config_is_refused_with_field_messages(
    sandbox: Sandbox, change: dict[str, Any], field: str
) -> None:
    before = sandbox.request_count()
    with pytest.raises(ValidationError) as refused:
        make_genesys_synthflow(sandbox, **change)
    assert list(refused.value.detail["config"]) == [field]
    assert [w for w in sandbox.writes_since(before) if w["vendor"] == "genesys"] == []
