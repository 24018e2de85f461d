"""Every API mutation leaves an audit event: who, what, when, from where, with the diff (secrets masked)."""

from __future__ import annotations

from integrations.tests.factories import VALID_SECRETS, VALID_SETTINGS
from tenants.choices import Role
from testing.world import TenantWorld


def test_changes_are_audited_with_actor_source_ip_and_diff(world: TenantWorld) -> None:
    api = world.api(Role.OPERATOR)
    created = api.post(
        "/api/v1/accounts/",
        {
            "name": "sf",
            "kind": "synthflow",
            "settings": VALID_SETTINGS["synthflow"],
            "secrets": VALID_SECRETS["synthflow"],
        },
        format="json",
        REMOTE_ADDR="203.0.113.7",
    ).json()
    api.patch(
        f"/api/v1/accounts/{created['id']}/",
        {"settings": {"region": "eu"}, "secrets": {"api_key": "rotated-SECRET-value"}},
        format="json",
        REMOTE_ADDR="203.0.113.8",
    )

    events = world.api(Role.VIEWER).get(f"/api/v1/audit/?object_id={created['id']}").json()["results"]

    assert [e["action"] for e in events] == ["account.updated", "account.created"]
    updated, first = events
    assert (
        first["actor"]
        == "operator@acme.example.com via token operator token (" + world.tokens["operator"].prefix + "…)"
    )
    assert first["actor_token"] == str(world.tokens["operator"].pk)
    assert first["source_ip"] == "203.0.113.7"
    assert first["object_type"] == "provider_account"
    assert first["object_repr"] == "sf (synthflow)"
    assert first["diff"]["secrets.api_key"] == [None, "********"]
    assert first["diff"]["name"] == [None, "sf"]
    assert updated["source_ip"] == "203.0.113.8"
    assert updated["diff"] == {
        "settings": [
            {"region": "global", "workspace_id": "ws-1234"},
            {"region": "eu", "workspace_id": "ws-1234"},
        ],
        "secrets.api_key": ["********", "********"],
    }


def test_the_audit_log_filters_by_action_and_is_read_only(world: TenantWorld) -> None:
    api = world.api(Role.ADMIN, via="session")
    api.post("/api/v1/tokens/", {"name": "one", "role": "viewer"}, format="json")
    api.post("/api/v1/tokens/", {"name": "two", "role": "viewer"}, format="json")
    api.delete(f"/api/v1/tokens/{world.tokens['viewer'].pk}/")

    created = api.get("/api/v1/audit/?action=token.created").json()
    revoked = api.get("/api/v1/audit/?action=token.revoked").json()

    assert created["count"] == 2
    assert {e["object_repr"].split(" (")[0] for e in created["results"]} == {"one", "two"}
    assert created["results"][0]["actor"] == "admin@acme.example.com"
    assert revoked["count"] == 1
    assert revoked["results"][0]["object_id"] == str(world.tokens["viewer"].pk)
    assert api.post("/api/v1/audit/", {}, format="json").status_code == 405
    assert api.delete(f"/api/v1/audit/{created['results'][0]['id']}/").status_code == 405


def test_a_change_that_changes_nothing_writes_no_event(world: TenantWorld) -> None:
    api = world.api(Role.OPERATOR)
    account = api.post(
        "/api/v1/accounts/",
        {"name": "v", "kind": "vapi", "settings": {"region": "us"}, "secrets": {"api_key": "k-SECRET"}},
        format="json",
    ).json()

    api.patch(
        f"/api/v1/accounts/{account['id']}/",
        {"settings": {"region": "us"}, "secrets": {"api_key": "k-SECRET"}},
        format="json",
    )

    assert api.get(f"/api/v1/audit/?object_id={account['id']}").json()["count"] == 1
