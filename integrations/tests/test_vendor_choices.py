"""Vendor ids are checked against the chosen accounts, which offer them as choices (issue 11, item 4).

Against the sandbox, whose vendors hold what `POST /_sandbox/accounts` made: a Connect
instance with a claimed number, Vapi and Synthflow assistants, a Genesys org with its
own and its managed site, a Twilio number.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from integrations.models import Integration, ProviderAccount
from integrations.models.engine import Run
from integrations.tests.engine_support import Sandbox, make_connect_vapi
from tenants.choices import Role
from testing.world import TenantWorld


@pytest.fixture
def checks_on(sandbox: Sandbox, settings: Any) -> Sandbox:
    settings.VENDOR_CHECKS_ON_SAVE = True
    return sandbox


def _save(
    world: TenantWorld, kind: str, settings: dict[str, Any], secrets: dict[str, str], **extra: Any
) -> ProviderAccount:
    account = ProviderAccount(tenant=world.tenant, name=f"{kind} main", kind=kind, settings=settings, **extra)
    account.set_secrets(secrets)
    account.save()
    return account


def _aws(world: TenantWorld, sandbox: Sandbox) -> tuple[ProviderAccount, dict[str, Any]]:
    account = _save(
        world, "aws", {"role_arn": "arn:aws:iam::123456789012:role/placeholder", "region": "us-east-1"}, {}
    )
    created = sandbox.post(
        "accounts",
        {
            "vendor": "aws",
            "external_id": account.external_id,
            "permission_policy": account.permission_policy(),
        },
    )
    account.settings = {"role_arn": created["role_arn"], "region": created["region"]}
    account.save()
    return account, created


def _vapi(world: TenantWorld, sandbox: Sandbox) -> tuple[ProviderAccount, dict[str, Any]]:
    created = sandbox.post("accounts", {"vendor": "vapi", "assistant_name": "Front desk"})
    return _save(world, "vapi", {"region": "us"}, {"api_key": created["api_key"]}), created


def _choices(world: TenantWorld, account: ProviderAccount, **params: str) -> Any:
    return world.api(Role.OPERATOR).get(f"/api/v1/accounts/{account.pk}/choices/", params)


def test_an_aws_account_offers_its_chime_numbers(world: TenantWorld, sandbox: Sandbox) -> None:
    from integrations.vendors.aws import AwsAccountRef, AwsSession
    from integrations.vendors.aws.chime_numbers import ChimeNumbers

    aws, _ = _aws(world, sandbox)
    ref = AwsAccountRef(aws.settings["role_arn"], aws.external_id, aws.settings["region"])
    chime = ChimeNumbers(AwsSession(ref))
    [wanted] = chime.search_available("503", max_results=1)
    chime.create_order("SipMediaApplicationDialIn", [wanted], "pb-acme-main-did")

    numbers = _choices(world, aws, field="phone_number")

    assert numbers.status_code == 200, numbers.json()
    assert [c["value"] for c in numbers.json()["choices"]] == [wanted]


def test_an_aws_account_offers_its_connect_instances_and_their_numbers(
    world: TenantWorld, sandbox: Sandbox
) -> None:
    aws, created = _aws(world, sandbox)

    instances = _choices(world, aws, field="connect_instance_id")
    numbers = _choices(
        world, aws, field="connect_phone_numbers", connect_instance_id=created["connect_instance_id"]
    )
    without_instance = _choices(world, aws, field="connect_phone_numbers")

    assert instances.status_code == 200, instances.json()
    assert created["connect_instance_id"] in [c["value"] for c in instances.json()["choices"]]
    assert [c["value"] for c in numbers.json()["choices"]] == [created["connect_phone_number"]]
    assert without_instance.status_code == 400
    assert "connect_instance_id" in without_instance.json()["errors"]


def test_each_vendor_offers_its_objects(world: TenantWorld, sandbox: Sandbox) -> None:
    vapi, vapi_created = _vapi(world, sandbox)
    sf = sandbox.post("accounts", {"vendor": "synthflow", "assistant_name": "Receptionist"})
    synthflow = _save(
        world,
        "synthflow",
        {"region": "global", "workspace_id": sf["workspace_id"]},
        {"api_key": sf["api_key"]},
    )
    gc = sandbox.post("accounts", {"vendor": "genesys"})
    genesys = _save(
        world,
        "genesys",
        {"region": gc["region"], "client_id": gc["client_id"]},
        {"client_secret": gc["client_secret"]},
    )
    tw = sandbox.post("accounts", {"vendor": "twilio"})
    twilio = _save(world, "twilio", {"account_sid": tw["account_sid"]}, {"auth_token": tw["auth_token"]})

    assistants = _choices(world, vapi, field="vapi_assistant_id").json()["choices"]
    agents = _choices(world, synthflow, field="synthflow_assistant_id").json()["choices"]
    sites = _choices(world, genesys, field="site_id").json()["choices"]
    routes = _choices(world, genesys, field="outbound_route_id", site_id=gc["site_id"]).json()["choices"]
    numbers = _choices(world, twilio, field="twilio_number").json()["choices"]

    assert assistants == [
        {"value": vapi_created["assistant_id"], "label": f"Front desk · {vapi_created['assistant_id']}"}
    ]
    assert [a["value"] for a in agents] == [sf["assistant_id"]]
    # Genesys's own managed site cannot take a trunk: it is not offered.
    assert [s["value"] for s in sites] == [gc["site_id"]]
    assert "Default Outbound Route" in [r["label"] for r in routes]
    assert [n["value"] for n in numbers] == [tw["phone_number"]]


def test_an_unknown_field_and_an_unreachable_vendor_answer_in_the_error_shape(
    world: TenantWorld, sandbox: Sandbox, settings: Any
) -> None:
    vapi, _ = _vapi(world, sandbox)
    settings.VAPI_BASE_URL = "http://127.0.0.1:9/vapi"

    unknown = _choices(world, vapi, field="site_id")
    unreachable = _choices(world, vapi, field="vapi_assistant_id")

    assert unknown.status_code == 400
    assert unknown.json()["errors"]["field"] == ["A vapi account lists choices for: vapi_assistant_id."]
    assert unreachable.status_code == 503
    assert unreachable.json()["code"] == "vendor_unavailable"
    assert "Type the value yourself" in unreachable.json()["detail"]


def test_made_up_ids_are_refused_when_the_integration_is_saved(
    world: TenantWorld, checks_on: Sandbox
) -> None:
    aws, created = _aws(world, checks_on)
    vapi, vapi_created = _vapi(world, checks_on)
    config = {
        "connect_instance_id": "00000000-1111-2222-3333-444444444444",
        "connect_phone_numbers": [created["connect_phone_number"]],
        "area_code": "503",
        "vapi_assistant_id": "asst-made-up",
        "sip_uri_user": "patchbay",
    }
    body = {
        "name": "front-desk",
        "kind": "connect_vapi",
        "accounts": {"aws": str(aws.pk), "vapi": str(vapi.pk)},
        "config": config,
    }
    ledger_before = checks_on.request_count()

    response = world.api(Role.OPERATOR).post("/api/v1/integrations/", body, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["config.connect_instance_id"][0].startswith("No Amazon Connect instance 00000000-1111")
    assert created["connect_instance_id"] in errors["config.connect_instance_id"][0]
    assert errors["config.vapi_assistant_id"][0].startswith(
        "No Vapi assistant asst-made-up in the Vapi account 'vapi main'"
    )
    # The numbers depend on the instance, which is wrong: they are not judged.
    assert "config.connect_phone_numbers" not in errors
    assert not Integration.objects.exists()
    assert checks_on.writes_since(ledger_before) == []

    fixed = {
        **config,
        "connect_instance_id": created["connect_instance_id"],
        "vapi_assistant_id": vapi_created["assistant_id"],
    }
    saved = world.api(Role.OPERATOR).post("/api/v1/integrations/", {**body, "config": fixed}, format="json")
    assert saved.status_code == 201, saved.json()

    moved = world.api(Role.OPERATOR).patch(
        f"/api/v1/integrations/{saved.json()['id']}/",
        {"config": {"connect_phone_numbers": ["+13125550000"]}},
        format="json",
    )
    assert moved.status_code == 400
    assert (
        "No phone number claimed in the Connect instance +13125550000"
        in moved.json()["errors"]["config.connect_phone_numbers"][0]
    )


def test_a_genesys_managed_site_is_refused_with_the_reason(world: TenantWorld, checks_on: Sandbox) -> None:
    gc = checks_on.post("accounts", {"vendor": "genesys"})
    genesys = _save(
        world,
        "genesys",
        {"region": gc["region"], "client_id": gc["client_id"]},
        {"client_secret": gc["client_secret"]},
    )
    sf = checks_on.post("accounts", {"vendor": "synthflow"})
    synthflow = _save(
        world,
        "synthflow",
        {"region": "global", "workspace_id": sf["workspace_id"]},
        {"api_key": sf["api_key"]},
    )
    config = {
        "site_id": gc["managed_site_id"],
        "inbound_identifier": "acme-synthflow",
        "phone_number": "+12065550123",
        "synthflow_assistant_id": sf["assistant_id"],
    }
    body = {
        "name": "gc",
        "kind": "genesys_synthflow",
        "accounts": {"genesys": str(genesys.pk), "synthflow": str(synthflow.pk)},
        "config": config,
    }

    response = world.api(Role.OPERATOR).post("/api/v1/integrations/", body, format="json")

    assert response.status_code == 400
    assert "managed by Genesys" in response.json()["errors"]["config.site_id"][0]


def test_an_unreachable_vendor_does_not_block_saving(
    world: TenantWorld, checks_on: Sandbox, settings: Any
) -> None:
    tw = checks_on.post("accounts", {"vendor": "twilio"})
    twilio = _save(world, "twilio", {"account_sid": tw["account_sid"]}, {"auth_token": tw["auth_token"]})
    sf = checks_on.post("accounts", {"vendor": "synthflow"})
    synthflow = _save(
        world,
        "synthflow",
        {"region": "global", "workspace_id": sf["workspace_id"]},
        {"api_key": sf["api_key"]},
    )
    settings.TWILIO_BASE_URL = "http://127.0.0.1:9/twilio"
    body = {
        "name": "tw",
        "kind": "twilio_synthflow",
        "accounts": {"twilio": str(twilio.pk), "synthflow": str(synthflow.pk)},
        "config": {"twilio_number": "+14155550199", "synthflow_assistant_id": sf["assistant_id"]},
    }

    response = world.api(Role.OPERATOR).post("/api/v1/integrations/", body, format="json")

    assert response.status_code == 201, response.json()


def test_plan_shows_the_made_up_id_instead_of_the_creates(
    sandbox: Sandbox, dashboard_client: Any, db: Any
) -> None:
    # Saved while Vapi could not be asked (checks off): the plan is where the made-up id shows.
    setup = make_connect_vapi(sandbox, slug="typo", vapi_assistant_id="asst-made-up")
    client = dashboard_client(get_user_model().objects.get(username="typo-owner"))
    writes_before = sandbox.request_count()

    response = client.post(reverse("integrations:integration-plan", args=[setup.integration.pk]), follow=True)

    page = response.content.decode()
    assert "Apply would fail" in page
    assert "No Vapi assistant asst-made-up in the Vapi account &#x27;vapi&#x27;" in page
    assert "to create" not in page
    assert (
        'action="{}"'.format(reverse("integrations:integration-apply", args=[setup.integration.pk]))
        not in page
    )
    assert sandbox.writes_since(writes_before) == []
    run = Run.objects.get(integration=setup.integration, kind="plan")
    assert list(run.plan["problems"]) == ["config.vapi_assistant_id"]


def test_apply_is_refused_before_anything_is_created(
    world: TenantWorld, checks_on: Sandbox, settings: Any
) -> None:
    aws, created = _aws(world, checks_on)
    vapi, _ = _vapi(world, checks_on)
    integration = Integration.objects.create(
        tenant=world.tenant,
        name="front-desk",
        kind="connect_vapi",
        config={
            "connect_instance_id": created["connect_instance_id"],
            "connect_phone_numbers": [],
            "area_code": "503",
            "vapi_assistant_id": "asst-made-up",
            "sip_uri_user": "patchbay",
        },
        aws_account=aws,
        vapi_account=vapi,
    )
    ledger_before = checks_on.request_count()

    response = world.api(Role.OPERATOR).post(f"/api/v1/integrations/{integration.pk}/apply/")

    assert response.status_code == 409
    assert response.json()["code"] == "unknown_vendor_ids"
    assert "config.vapi_assistant_id: No Vapi assistant asst-made-up" in response.json()["detail"]
    assert not Run.objects.filter(integration=integration).exists()
    assert checks_on.writes_since(ledger_before) == []
