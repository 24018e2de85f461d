"""The engine's pure parts: graph order, the bounded concurrent walk, names, conditions."""

from __future__ import annotations

import threading
from graphlib import CycleError
from typing import Any

import pytest
from django.db import OperationalError

from integrations.engine.blueprint import Blueprint, BlueprintNode, SpecInputs
from integrations.engine.conditions import get_condition, set_condition
from integrations.engine.names import external_name, integration_prefix
from integrations.engine.types import KnownAfterApply, contains_unknown, spec_diff
from integrations.engine.walk import NodeFailed, walk
from integrations.kinds import blueprint_for


def _node(name: str, *deps: str) -> BlueprintNode:
    return BlueprintNode(name, "test.thing", lambda i: {}, deps)


def test_blueprint_orders_dependencies_first_and_rejects_cycles() -> None:
    blueprint = Blueprint("k", (_node("c", "b"), _node("a"), _node("b", "a")))
    assert blueprint.order() == ["a", "b", "c"]
    assert blueprint.dependents("a") == ["b"]
    with pytest.raises(CycleError):
        Blueprint("k", (_node("a", "b"), _node("b", "a")))
    with pytest.raises(ValueError, match="unknown nodes"):
        Blueprint("k", (_node("a", "zzz"),))


def test_connect_vapi_blueprint_creates_what_a_call_needs_in_a_valid_order() -> None:
    order = blueprint_for("connect_vapi").order()
    assert len(order) == 18
    assert "termination" not in order  # issue 12.6: no PSTN calls out through the connector
    # Vendor ordering: the credential needs the connector's IPs, origination needs the credential,
    # the SIP rule needs the SMA and the number, the flow comes last but for routing numbers to it.
    assert order.index("connector_ips") < order.index("vapi_credential") < order.index("origination")
    assert order.index("sip_media_application") < order.index("sip_rule") < order.index("contact_flow")
    assert order.index("sma_lambda_permission") < order.index("sip_media_application")
    assert order[-1] == "connect_numbers"


def _gateway(ip: str, netmask: int) -> dict[str, Any]:
    return {"ip": ip, "netmask": netmask, "port": 5060, "inbound_enabled": True, "outbound_enabled": False}


def test_specs_mark_inputs_known_only_after_apply() -> None:
    inputs = SpecInputs(
        config={"sip_uri_user": "patchbay", "vapi_assistant_id": "a1", "gateway_netmask": 32},
        accounts={"aws": {"region": "eu-west-1"}, "vapi": {"region": "us"}},
        integration_name="demo",
        tenant_slug="acme",
        public_id="p",
        outputs={},
    )
    blueprint = blueprint_for("connect_vapi")
    spec = blueprint.by_name["vapi_phone_number"].spec(inputs)
    assert contains_unknown(spec["credential_id"]) and not contains_unknown(spec["number"])
    # A region with no published signalling range falls back to the connector's DNS answers.
    gateways = blueprint.by_name["vapi_credential"].spec(inputs)["gateways"]
    assert contains_unknown(gateways)
    known = SpecInputs(
        **{**inputs.__dict__, "outputs": {"connector_ips": {"ips": ["198.18.3.9", "198.18.3.8"]}}}
    )
    gateways = blueprint.by_name["vapi_credential"].spec(known)["gateways"]
    assert [g["ip"] for g in gateways] == ["198.18.3.8", "198.18.3.9"]
    known_24 = SpecInputs(**{**known.__dict__, "config": {**inputs.config, "gateway_netmask": 24}})
    assert blueprint.by_name["vapi_credential"].spec(known_24)["gateways"] == [_gateway("198.18.3.0", 24)]


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        # A /23 is two /24 gateways: Vapi's netmask is 24-32 (PROVIDERS.md §2.2).
        ("us-east-1", [_gateway("3.80.16.0", 24), _gateway("3.80.17.0", 24)]),
        ("us-west-2", [_gateway("99.77.253.0", 24)]),
    ],
)
def test_vapi_gateways_are_chimes_published_signalling_range_not_todays_dns_answers(
    region: str, expected: list[dict[str, Any]]
) -> None:
    """Issue 12.2: the connector sends from anywhere in its region's range (chime_ranges.py)."""
    inputs = SpecInputs(
        config={"sip_uri_user": "patchbay", "vapi_assistant_id": "a1", "gateway_netmask": 32},
        accounts={"aws": {"region": region}, "vapi": {"region": "us"}},
        integration_name="demo",
        tenant_slug="acme",
        public_id="p",
        outputs={"connector_ips": {"ips": ["3.80.16.7", "99.77.253.9"]}},
    )
    spec = blueprint_for("connect_vapi").by_name["vapi_credential"].spec(inputs)
    assert spec["gateways"] == expected
    # Known before the connector exists: the credential does not wait for DNS.
    assert (
        blueprint_for("connect_vapi")
        .by_name["vapi_credential"]
        .spec(SpecInputs(**{**inputs.__dict__, "outputs": {}}))["gateways"]
        == expected
    )


def test_spec_diff_ignores_unknown_fields() -> None:
    desired = {"host": f"{KnownAfterApply('c', 'id')}.sip.vapi.ai", "port": 5060}
    assert spec_diff(desired, {"host": "x.sip.vapi.ai", "port": 5061}) == {"port": (5061, 5060)}


def test_walk_runs_independent_nodes_concurrently_and_skips_dependents_of_failures() -> None:
    deps = {"a": set(), "b": set(), "c": {"a"}, "d": {"b"}, "e": {"c", "d"}}
    both_started = threading.Barrier(2, timeout=5)
    seen: list[str] = []

    def step(name: str) -> None:
        if name in ("a", "b"):
            both_started.wait()  # deadlocks unless a and b run at the same time
        seen.append(name)
        if name == "d":
            raise NodeFailed("d", "vendor said no")

    done, failed, skipped = walk(["a", "b", "c", "d", "e"], deps, step, concurrency=2)
    assert sorted(done) == ["a", "b", "c"]
    assert failed == {"d": "vendor said no"}
    assert skipped == ["e"]
    assert "e" not in seen


def test_walk_inline_when_concurrency_is_one() -> None:
    order: list[str] = []
    done, failed, skipped = walk(["a", "b"], {"a": set(), "b": {"a"}}, order.append, concurrency=1)
    assert order == ["a", "b"] and done == ["a", "b"] and not failed and not skipped


def test_walk_raises_a_lost_database_connection_instead_of_failing_the_node() -> None:
    deps = {"a": set(), "b": set(), "c": {"a"}}
    both_started = threading.Barrier(2, timeout=5)
    seen: list[str] = []

    def step(name: str) -> None:
        both_started.wait()  # a and b in flight together: b still ends before the walk raises
        seen.append(name)
        if name == "a":
            raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(OperationalError):
        walk(["a", "b", "c"], deps, step, concurrency=2)
    assert sorted(seen) == ["a", "b"]  # nothing more started once the database was lost


def test_external_names_are_deterministic_and_fit_the_vendor() -> None:
    name = external_name("acme", "Front Desk", "vapi_credential", max_length=64)
    assert name == "pb-acme-front-desk-vapi-credential"
    assert name == external_name("acme", "Front Desk", "vapi_credential", max_length=64)
    short = external_name("a-very-long-tenant-slug", "a-very-long-integration-name", "vapi_phone_number", 40)
    assert len(short) == 40
    assert short == external_name(
        "a-very-long-tenant-slug", "a-very-long-integration-name", "vapi_phone_number", 40
    )
    assert short.startswith("pb-a-very-long-tenant-slug")
    other = external_name("a-very-long-tenant-slug", "a-very-long-integration-name", "vapi_credential", 40)
    assert other != short
    assert integration_prefix("acme", "demo") == "pb-acme-demo"


def test_condition_transition_time_moves_only_when_status_changes() -> None:
    conditions = set_condition([], "Ready", "False", "Deleting")
    first = get_condition(conditions, "Ready")["last_transition_time"]
    conditions = set_condition(conditions, "Ready", "False", "ApplyFailed", "boom")
    assert get_condition(conditions, "Ready")["last_transition_time"] == first
    assert get_condition(conditions, "Ready")["reason"] == "ApplyFailed"
    conditions = set_condition(conditions, "Synced", "True", "ReconcileSuccess")
    conditions = set_condition(conditions, "Ready", "True", "Available")
    assert [c["type"] for c in conditions] == ["Ready", "Synced"]
    assert get_condition(conditions, "Ready")["status"] == "True"
