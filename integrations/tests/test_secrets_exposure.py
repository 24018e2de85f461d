"""Provider secrets go in through the API and never come out: not in responses, audit events or logs."""

from __future__ import annotations

import json

import pytest

from integrations.models import ProviderAccount
from integrations.tests.factories import VALID_CONFIG, VALID_SETTINGS
from integrations.tests.secret_values import BAD_SECRET, ROTATED, SECRETS, all_secret_values, objects_of
from tenants.choices import Role
from tenants.models import AuditEvent
from tenants.tests.routes import NON_TENANT_ROUTES, walk_routes
from testing.world import TenantWorld


def test_no_secret_leaves_through_api_responses_audit_or_logs(
    world: TenantWorld, all_loggers_at_debug: pytest.LogCaptureFixture
) -> None:
    api = world.api(Role.OPERATOR)
    seen: list[str] = []
    ids: dict[str, str] = {}
    for kind, secrets in SECRETS.items():
        created = api.post(
            "/api/v1/accounts/",
            {"name": f"{kind} main", "kind": kind, "settings": VALID_SETTINGS[kind], "secrets": secrets},
            format="json",
        )
        assert created.status_code == 201
        seen.append(created.content.decode())
        ids[kind] = created.json()["id"]
        patched = api.patch(f"/api/v1/accounts/{ids[kind]}/", {"secrets": ROTATED[kind]}, format="json")
        assert patched.status_code == 200
        seen.append(patched.content.decode())
        name = next(iter(secrets))
        refused = api.patch(f"/api/v1/accounts/{ids[kind]}/", {"secrets": {name: BAD_SECRET}}, format="json")
        wrong_name = api.post(
            "/api/v1/accounts/",
            {
                "name": f"{kind} x",
                "kind": kind,
                "settings": VALID_SETTINGS[kind],
                "secrets": {"pw": BAD_SECRET},
            },
            format="json",
        )
        assert refused.status_code == wrong_name.status_code == 400
        seen += [refused.content.decode(), wrong_name.content.decode()]
    aws = api.post(
        "/api/v1/accounts/", {"name": "aws", "kind": "aws", "settings": VALID_SETTINGS["aws"]}, format="json"
    )
    integration = api.post(
        "/api/v1/integrations/",
        {
            "name": "front-door",
            "kind": "twilio_synthflow",
            "accounts": {"twilio": ids["twilio"], "synthflow": ids["synthflow"]},
            "config": VALID_CONFIG["twilio_synthflow"],
        },
        format="json",
    )
    assert aws.status_code == integration.status_code == 201

    # Every GET route of the project, lists and each object of the tenant, by token and by session.
    clients = {"token": world.api(Role.OWNER), "session": world.api(Role.OWNER, via="session")}
    fetched = 0
    for route in walk_routes():
        if route.is_format_variant or route.name in NON_TENANT_ROUTES or "GET" not in route.methods():
            continue
        model = route.model()
        objects = objects_of(model, world.tenant) if route.object_kwargs and model else [None]
        for obj in objects:
            for via, client in clients.items():
                if via == "token" and not route.is_api:
                    continue
                response = client.get(route.url(obj))
                content = getattr(response, "content", b"") or b"".join(
                    getattr(response, "streaming_content", [])
                )
                seen.append(f"{route.name} {response.status_code} " + content.decode(errors="replace"))
                fetched += 1
    assert fetched >= 20

    events = AuditEvent.objects.for_tenant(world.tenant)
    assert events.filter(action="account.updated").count() == len(SECRETS)
    seen += [json.dumps(list(events.values()), default=str)]
    logs = [record.getMessage() for record in all_loggers_at_debug.records]
    logs += [str(getattr(record, "request", "")) for record in all_loggers_at_debug.records]
    assert logs, "the capture saw nothing at all, so it proves nothing"
    for value in all_secret_values():
        assert not [text[:120] for text in seen if value in text], f"{value} appears in a response or event"
        assert not [line[:120] for line in logs if value in line], f"{value} appears in a log record"
    # ...while the secrets are really stored, for the vendor clients.
    for kind, rotated in ROTATED.items():
        assert ProviderAccount.objects.get(pk=ids[kind]).read_secrets() == rotated


def test_the_audit_diff_says_which_secret_changed_without_its_value(world: TenantWorld) -> None:
    api = world.api(Role.OPERATOR)
    account = api.post(
        "/api/v1/accounts/",
        {"name": "tw", "kind": "twilio", "settings": VALID_SETTINGS["twilio"], "secrets": SECRETS["twilio"]},
        format="json",
    ).json()
    api.patch(f"/api/v1/accounts/{account['id']}/", {"secrets": ROTATED["twilio"]}, format="json")

    diffs = [e["diff"] for e in api.get(f"/api/v1/audit/?object_id={account['id']}").json()["results"]]

    assert diffs[0] == {"secrets.auth_token": ["********", "********"]}
    assert diffs[1]["secrets.auth_token"] == [None, "********"]
