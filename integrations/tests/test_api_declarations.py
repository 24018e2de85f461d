"""Integrations as files over the API (issue 17, item 4): export, declare, dry run, prune, bad files.

The engine's plan of an existing integration asks its vendors, so dry runs of updates are covered
against the sandbox in test_cli_declarations.py; here every request stays inside Patchbay.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from integrations.choices import IntegrationKind
from integrations.kinds import get_kind
from integrations.models import Integration, ProviderAccount
from integrations.models.engine import NodeStatus, ResourceNode, Run, RunKind
from integrations.tests.factories import VALID_CONFIG, IntegrationFactory, ProviderAccountFactory
from tenants.choices import Role
from tenants.models import AuditEvent
from testing.world import TenantWorld

API = "/api/v1/integrations"
DECLARE = f"{API}/declare/"
SECRETS = ("SECRET",)  # every factory secret contains it (factories.VALID_SECRETS)


def _accounts(world: TenantWorld, kind: str, suffix: str = "") -> dict[str, str]:
    """Provider accounts the kind needs, created in the tenant; their names, by kind."""
    names = {}
    for account_kind in get_kind(kind).required_accounts:
        name = f"{account_kind} main{suffix}"
        if not ProviderAccount.objects.filter(tenant=world.tenant, name=name).exists():
            ProviderAccountFactory(tenant=world.tenant, kind=account_kind, name=name)
        names[str(account_kind)] = name
    return names


def _declaration(name: str, kind: str, accounts: dict[str, str], **config: Any) -> dict[str, Any]:
    return {"name": name, "kind": str(kind), "accounts": accounts, "config": {**VALID_CONFIG[kind], **config}}


def _declare(world: TenantWorld, body: Any, query: str = "", *, as_yaml: bool = False) -> Any:
    client = world.api(Role.OPERATOR)
    if as_yaml:
        text = body if isinstance(body, str) else yaml.safe_dump_all(body)
        return client.post(f"{DECLARE}{query}", text, content_type="application/yaml")
    return client.post(f"{DECLARE}{query}", body, format="json")


def _by_name(response: Any) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in response.json()["integrations"]}


@pytest.mark.parametrize("kind", IntegrationKind.values)
def test_export_is_the_create_body_with_account_names_and_nothing_generated(
    world: TenantWorld, kind: str
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=kind, name="front-desk")
    viewer = world.api(Role.VIEWER)

    as_json = viewer.get(f"{API}/{integration.pk}/export/")
    as_yaml = viewer.get(f"{API}/{integration.pk}/export/", HTTP_ACCEPT="application/yaml")

    assert as_json.status_code == as_yaml.status_code == 200
    assert as_yaml["Content-Type"].startswith("application/yaml")
    by_query = viewer.get(f"{API}/{integration.pk}/export/?format=yaml")
    assert (by_query.status_code, by_query.content) == (200, as_yaml.content)
    declaration = as_json.json()
    assert list(declaration) == ["name", "kind", "accounts", "config", "policy"]
    assert declaration["accounts"] == {
        kind: integration.account(kind).name for kind in get_kind(kind).required_accounts
    }
    assert declaration["config"] == integration.config
    assert yaml.safe_load(as_yaml.content) == declaration  # numbers stay strings: they are quoted
    text = as_yaml.content.decode() + json.dumps(declaration)
    for generated in (str(integration.pk), integration.public_id, *SECRETS):
        assert generated not in text


def test_declaring_a_yaml_file_twice_creates_once_and_changes_nothing_the_second_time(
    world: TenantWorld,
) -> None:
    twilio = _accounts(world, IntegrationKind.TWILIO_SYNTHFLOW)
    genesys = _accounts(world, IntegrationKind.GENESYS_SYNTHFLOW)
    text = (
        "# two documents, as a team keeps them in git\n"
        + yaml.safe_dump(_declaration("front-desk", IntegrationKind.TWILIO_SYNTHFLOW, twilio))
        + "---\n"
        + yaml.safe_dump([_declaration("sales", IntegrationKind.GENESYS_SYNTHFLOW, genesys)])
    )

    first = _declare(world, text, as_yaml=True)

    assert first.status_code == 202, first.json()
    entries = _by_name(first)
    assert {n: e["action"] for n, e in entries.items()} == {"front-desk": "create", "sales": "create"}
    assert first.json()["summary"]["create"] == 2
    assert all(e["run"]["kind"] == RunKind.APPLY and e["run"]["state"] == "queued" for e in entries.values())
    front = Integration.objects.get(tenant=world.tenant, name="front-desk")
    assert front.config == get_kind(front.kind).validate_config(VALID_CONFIG[front.kind])
    assert entries["front-desk"]["changes"]["accounts.twilio"] == [None, "twilio main"]
    assert AuditEvent.objects.filter(object_id=str(front.pk), action="integration.created").count() == 1
    runs, events = Run.objects.count(), AuditEvent.objects.count()

    second = _declare(world, text, as_yaml=True)

    assert second.status_code == 200, second.json()
    assert second.json()["changed"] is False
    assert {e["action"] for e in second.json()["integrations"]} == {"no-op"}
    assert all(e["changes"] == {} for e in second.json()["integrations"])
    assert (Run.objects.count(), AuditEvent.objects.count()) == (runs, events)
    assert Integration.objects.filter(tenant=world.tenant).count() == 2


def test_an_exported_integration_declared_again_is_a_no_op(world: TenantWorld) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_VAPI, name="desk")
    exported = world.api(Role.VIEWER).get(f"{API}/{integration.pk}/export/", HTTP_ACCEPT="application/yaml")

    declared = _declare(world, exported.content.decode(), as_yaml=True)

    assert declared.status_code == 202, declared.json()  # never applied: the apply is queued
    [entry] = declared.json()["integrations"]
    assert (entry["action"], entry["changes"], entry["id"]) == ("no-op", {}, str(integration.pk))
    assert not AuditEvent.objects.filter(object_id=str(integration.pk), action="integration.updated").exists()


def test_a_changed_declaration_updates_the_integration_and_audits_the_diff(world: TenantWorld) -> None:
    accounts = _accounts(world, IntegrationKind.TWILIO_SYNTHFLOW)
    _declare(world, _declaration("front-desk", IntegrationKind.TWILIO_SYNTHFLOW, accounts))
    changed = _declaration(
        "front-desk", IntegrationKind.TWILIO_SYNTHFLOW, accounts, synthflow_assistant_id="model-0042"
    )
    changed["policy"] = "report"

    preview = _declare(world, changed, "?dry_run=true")
    response = _declare(world, changed)

    assert preview.status_code == 200
    assert preview.json()["dry_run"] is True
    assert response.status_code == 202, response.json()
    for answer in (preview, response):
        [entry] = answer.json()["integrations"]
        assert entry["action"] == "update"
        assert entry["changes"] == {
            "config.synthflow_assistant_id": ["model-0003", "model-0042"],
            "policy": ["heal", "report"],
        }
    integration = Integration.objects.get(tenant=world.tenant, name="front-desk")
    assert (integration.config["synthflow_assistant_id"], integration.policy) == ("model-0042", "report")
    event = AuditEvent.objects.get(object_id=str(integration.pk), action="integration.updated")
    assert event.diff["config.synthflow_assistant_id"] == ["model-0003", "model-0042"]


def test_a_dry_run_lists_creates_with_their_nodes_and_prune_deletes_and_changes_nothing(
    world: TenantWorld,
) -> None:
    undeclared = IntegrationFactory(tenant=world.tenant, name="old-line")
    ResourceNode.objects.create(
        tenant=world.tenant,
        integration=undeclared,
        node="synthflow_number",
        type="synthflow.custom_number",
        status=NodeStatus.READY,
        external_id="n-1",
    )
    accounts = _accounts(world, IntegrationKind.CONNECT_VAPI)
    body = [_declaration("front-desk", IntegrationKind.CONNECT_VAPI, accounts)]

    without_prune = _declare(world, body, "?dry_run=true")
    with_prune = _declare(world, body, "?dry_run=true&prune=true")

    assert without_prune.status_code == with_prune.status_code == 200
    assert set(_by_name(without_prune)) == {"front-desk"}
    entries = _by_name(with_prune)
    create, delete = entries["front-desk"], entries["old-line"]
    assert (create["action"], create["id"], create["changed"]) == ("create", None, True)
    assert {"iam_role", "voice_connector", "vapi_credential"} <= {n["node"] for n in create["plan"]}
    assert {n["action"] for n in create["plan"]} <= {"create", "no-op"}
    assert (delete["action"], delete["id"]) == ("delete", str(undeclared.pk))
    assert [n["node"] for n in delete["plan"]] == ["synthflow_number"]
    assert with_prune.json()["summary"] == {"create": 1, "update": 0, "delete": 1, "no-op": 0}
    assert not Integration.objects.filter(name="front-desk").exists()
    undeclared.refresh_from_db()
    assert not undeclared.deleting
    assert not Run.objects.exists()


def test_prune_tears_down_only_this_tenants_undeclared_integrations(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    kept = IntegrationFactory(tenant=world.tenant, name="kept")
    pruned = IntegrationFactory(tenant=world.tenant, name="pruned")
    theirs = IntegrationFactory(tenant=other_world.tenant, name="theirs")
    declaration = world.api(Role.VIEWER).get(f"{API}/{kept.pk}/export/").json()

    response = _declare(world, declaration, "?prune=true")

    assert response.status_code == 202, response.json()
    entries = _by_name(response)
    assert entries["pruned"]["action"] == "delete"
    assert entries["pruned"]["run"]["kind"] == RunKind.TEARDOWN
    assert set(entries) == {"kept", "pruned"}
    pruned.refresh_from_db()
    theirs.refresh_from_db()
    assert pruned.deleting and not theirs.deleting
    assert AuditEvent.objects.filter(
        object_id=str(pruned.pk), action="integration.teardown_requested"
    ).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"accounts": {"twilio": "nobody", "synthflow": "synthflow main"}}, "front-desk.accounts.twilio"),
        (
            {"accounts": {"twilio": "synthflow main", "synthflow": "synthflow main"}},
            "front-desk.accounts.twilio",
        ),
        ({"accounts": {"twilio": "twilio main"}}, "front-desk.accounts.synthflow"),
        ({"config": {"twilio_number": "555"}}, "front-desk.config.twilio_number"),
        ({"config": {**VALID_CONFIG["twilio_synthflow"], "typo": 1}}, "front-desk.config.typo"),
        ({"kind": "connect_fax"}, "front-desk.kind"),
        ({"policy": "sometimes"}, "front-desk.policy"),
        ({"name": "Front Desk"}, "Front Desk.name"),
        ({"name": None}, "1.name"),
        ({"colour": "blue"}, "front-desk.colour"),
        # NUL: PostgreSQL refuses it in a query parameter (the fuzz found a 500 there)
        (
            {"accounts": {"twilio": "twilio\x00main", "synthflow": "synthflow main"}},
            "front-desk.accounts.twilio",
        ),
        ({"name": "front\x00desk"}, "front\x00desk.name"),
    ],
)
def test_a_bad_declaration_is_a_400_naming_the_field_and_nothing_is_created(
    world: TenantWorld, change: dict[str, Any], field: str
) -> None:
    accounts = _accounts(world, IntegrationKind.TWILIO_SYNTHFLOW)
    good = _declaration("good-one", IntegrationKind.TWILIO_SYNTHFLOW, accounts)
    bad = {**_declaration("front-desk", IntegrationKind.TWILIO_SYNTHFLOW, accounts), **change}

    for query in ("", "?dry_run=true"):
        response = _declare(world, [good, bad], query)

        assert response.status_code == 400, response.json()
        assert response.json()["code"] == "invalid"
        assert field in response.json()["errors"], response.json()
        assert response.json()["detail"].startswith(field)
    assert not Integration.objects.exists()


def test_the_same_name_twice_and_a_kind_change_are_refused(world: TenantWorld) -> None:
    existing = IntegrationFactory(tenant=world.tenant, name="desk")
    accounts = _accounts(world, IntegrationKind.CONNECT_SYNTHFLOW)
    twice = _declaration("twice", IntegrationKind.CONNECT_SYNTHFLOW, accounts)
    kind_change = _declaration("desk", IntegrationKind.CONNECT_SYNTHFLOW, accounts)

    response = _declare(world, [twice, twice, kind_change])

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["twice.name"] == ["Declared twice in this request."]
    assert "cannot be changed" in errors["desk.kind"][0]
    assert Integration.objects.get().pk == existing.pk


def test_moving_an_applied_integration_to_another_account_is_a_400_naming_the_account(
    world: TenantWorld,
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_SYNTHFLOW, name="desk")
    ResourceNode.objects.create(
        tenant=world.tenant,
        integration=integration,
        node="phone_number",
        type="chime.phone_number",
        status=NodeStatus.READY,
        external_id="+15035550100",
    )
    ProviderAccountFactory(tenant=world.tenant, kind="aws", name="other aws")
    declaration = world.api(Role.VIEWER).get(f"{API}/{integration.pk}/export/").json()
    declaration["accounts"]["aws"] = "other aws"

    for query in ("", "?dry_run=true"):
        response = _declare(world, declaration, query)

        assert response.status_code == 400, response.json()
        [message] = response.json()["errors"]["desk.accounts.aws"]
        assert "Tear the integration down first" in message
    integration.refresh_from_db()
    assert integration.account("aws").name != "other aws"


def test_another_tenants_accounts_and_integrations_are_invisible(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    theirs = IntegrationFactory(tenant=other_world.tenant, name="front-desk")
    their_accounts = {k: theirs.account(k).name for k in get_kind(theirs.kind).required_accounts}

    borrowed = _declare(world, _declaration("front-desk", theirs.kind, their_accounts))
    export = world.api(Role.OWNER).get(f"{API}/{theirs.pk}/export/", HTTP_ACCEPT="application/yaml")

    assert borrowed.status_code == 400
    assert "No provider account named" in borrowed.json()["errors"]["front-desk.accounts.twilio"][0]
    assert export.status_code == 404
    assert export.json() == {"detail": "Not found.", "code": "not_found"}  # JSON, though YAML was asked


def test_a_viewer_exports_but_cannot_declare(world: TenantWorld) -> None:
    integration = IntegrationFactory(tenant=world.tenant)
    viewer = world.api(Role.VIEWER)

    assert viewer.get(f"{API}/{integration.pk}/export/").status_code == 200
    assert viewer.post(f"{DECLARE}?dry_run=true", [], format="json").status_code == 403


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [1, 2]\nb: *x\n", "aliases"),
        ("---\n{}\n" * 60, "more than 50 documents"),
        (
            "name: desk\nkind: twilio_synthflow\nconfig: {when: 2026-12-04}\n",
            "quote the value at config.when",
        ),
        ("name: [unclosed\n", "line 2"),
        ("name: desk\n1: x\n", "keys must be strings; quote 1"),
    ],
)
def test_unsafe_or_broken_yaml_is_a_400(world: TenantWorld, text: str, message: str) -> None:
    response = _declare(world, text, as_yaml=True)

    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]


def test_a_yaml_body_over_the_cap_is_a_413_and_an_unquoted_number_names_its_field(world: TenantWorld) -> None:
    huge = _declare(world, "# padding\n" * 30_000, as_yaml=True)
    accounts = _accounts(world, IntegrationKind.TWILIO_SYNTHFLOW)
    text = yaml.safe_dump(_declaration("desk", IntegrationKind.TWILIO_SYNTHFLOW, accounts)).replace(
        "'+14155550100'", "+14155550100"
    )

    unquoted = _declare(world, text, as_yaml=True)

    assert huge.status_code == 413
    assert unquoted.status_code == 400
    assert "desk.config.twilio_number" in unquoted.json()["errors"]


def test_bad_flags_and_bodies_are_400s(world: TenantWorld) -> None:
    IntegrationFactory(tenant=world.tenant, name="kept")
    for query in ("?prune=true", "?prune=true&dry_run=true"):
        assert "prune" in _declare(world, "# an empty file\n", query, as_yaml=True).json()["errors"]
    assert not Integration.objects.get(name="kept").deleting
    assert _declare(world, [], "?dry_run=maybe").json()["errors"] == {"dry_run": ["Expected true or false."]}
    assert _declare(world, "just text").status_code == 400
    too_many = [{"name": f"n{i}"} for i in range(51)]
    assert "At most 50" in _declare(world, too_many).json()["detail"]


def test_the_readmes_declaration_of_each_kind_is_accepted(world: TenantWorld) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    automation = readme.split("\n## Automation\n", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0] for b in automation.split("```yaml\n")[1:]]
    blocks = [b for b in blocks if "\nkind: " in b]  # not the CI workflow
    declarations = [yaml.safe_load(b) for b in blocks]
    for declaration in declarations:
        for account_kind, name in declaration["accounts"].items():
            if not ProviderAccount.objects.filter(tenant=world.tenant, name=name).exists():
                ProviderAccountFactory(tenant=world.tenant, kind=account_kind, name=name)

    response = _declare(world, "---\n".join(blocks), "?dry_run=true", as_yaml=True)

    assert response.status_code == 200, response.json()
    assert {e["kind"] for e in response.json()["integrations"]} == set(IntegrationKind.values)
    assert {e["action"] for e in response.json()["integrations"]} == {"create"}
