"""A Python client generated from the served OpenAPI document (openapi-python-client, pinned in
requirements-test.txt) drives a whole connect_vapi flow against the live server, the sandbox and a real
worker: provider accounts → integration → plan → apply → wait → teardown. The generated code is not
committed: the test generates it, so the client is always the one the current schema gives.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from integrations.models import Integration
from integrations.models.engine import RunState
from integrations.tests.engine_support import Sandbox
from tenants.choices import Role
from testing.waits import wait_until
from testing.world import TenantWorld

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


GENERATOR = Path(sys.executable).with_name("openapi-python-client")
#: how long a run may stay unfinished before the test gives up (a bound, not a timing assertion)
RUN_DEADLINE_SECONDS = 240
CONFIG = "project_name_override: patchbay-client\npackage_name_override: patchbay_client\npost_hooks: []\n"


def generated_client(live_server: Any, key: str, tmp_path: Path) -> ModuleType:
    """The package openapi-python-client generates from /api/schema/, imported from `tmp_path`."""
    served = httpx.get(
        f"{live_server.url}/api/schema/",
        headers={"Authorization": f"Token {key}", "Accept": "application/vnd.oai.openapi+json"},
        timeout=30,
    )
    assert served.status_code == 200
    (tmp_path / "openapi.json").write_bytes(served.content)
    (tmp_path / "config.yaml").write_text(CONFIG)
    generate = [
        str(GENERATOR),
        "generate",
        "--path",
        str(tmp_path / "openapi.json"),
        "--config",
        str(tmp_path / "config.yaml"),
        "--meta",
        "none",
        "--output-path",
        str(tmp_path / "patchbay_client"),
    ]
    done = subprocess.run(generate, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    # Every schema is usable: the generator drops (and names) any it cannot turn into a model.
    assert "Unable to process schema" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module("patchbay_client")
    finally:
        sys.path.remove(str(tmp_path))


def _module(name: str) -> Any:
    return importlib.import_module(f"patchbay_client.{name}")


def wait_for(api: Any, client: Any, run_id: str) -> Any:
    """The run once it has finished, polled through the generated client."""

    def finished() -> Any:
        run = api.v1_runs_retrieve.sync(int(run_id), client=client)
        return run if run.state.value in (RunState.SUCCEEDED, RunState.FAILED) else None

    return wait_until(finished, timeout=RUN_DEADLINE_SECONDS, message=f"run {run_id} not finished")


@pytest.fixture
def unload_generated() -> Any:
    """Forget the generated package after the test (another test generates its own)."""
    yield
    for name in [m for m in sys.modules if m == "patchbay_client" or m.startswith("patchbay_client.")]:
        del sys.modules[name]


def test_a_generated_client_provisions_and_tears_down_an_integration(
    live_server: Any,
    world: TenantWorld,
    sandbox: Sandbox,
    engine_worker: Any,
    tmp_path: Path,
    unload_generated: Any,
    settings: Any,
) -> None:
    # Saves check accounts and vendor ids at the sandbox, as in production (the live server is in
    # this process, so it reads this setting).
    settings.VENDOR_CHECKS_ON_SAVE = True
    package = generated_client(live_server, world.key(Role.OWNER), tmp_path)
    m = _module("models")
    api = importlib.import_module("patchbay_client.api.v1")
    client = package.AuthenticatedClient(
        base_url=live_server.url, token=world.key(Role.OPERATOR), prefix="Token", timeout=httpx.Timeout(60)
    )
    for name in (
        "v1_accounts_create",
        "v1_accounts_partial_update",
        "v1_integrations_create",
        "v1_integrations_plan_create",
        "v1_integrations_apply_create",
        "v1_integrations_teardown_create",
        "v1_integrations_retrieve",
        "v1_runs_retrieve",
    ):
        importlib.import_module(f"patchbay_client.api.v1.{name}")

    # An AWS account: Patchbay gives the external id and the policy the customer's role needs.
    aws = api.v1_accounts_create.sync(
        client=client,
        body=m.AwsAccountRequest(
            name="acme aws",
            kind=m.AwsAccountKindEnum.AWS,
            settings=m.AwsAccountSettingsRequest(
                role_arn="arn:aws:iam::123456789012:role/pending",
                region=m.AwsAccountSettingsRegionEnum.US_EAST_1,
            ),
        ),
    )
    assert isinstance(aws, m.AwsAccount), aws
    role = sandbox.post(
        "accounts",
        {
            "vendor": "aws",
            "external_id": aws.external_id,
            "permission_policy": aws.permission_policy.to_dict(),
        },
    )
    aws = api.v1_accounts_partial_update.sync(
        aws.id,
        client=client,
        body=m.PatchedAwsAccountRequest(
            kind=m.AwsAccountKindEnum.AWS,
            settings=m.AwsAccountSettingsRequest(
                role_arn=role["role_arn"], region=m.AwsAccountSettingsRegionEnum(role["region"])
            ),
        ),
    )
    assert isinstance(aws, m.AwsAccount), aws
    assert aws.settings.role_arn == role["role_arn"]
    assert aws.connection.ok, aws.connection.message

    given = sandbox.post("accounts", {"vendor": "vapi"})
    vapi = api.v1_accounts_create.sync(
        client=client,
        body=m.VapiAccountRequest(
            name="acme vapi",
            kind=m.VapiAccountKindEnum.VAPI,
            settings=m.VapiSettingsRequest(region=m.VapiSettingsRegionEnum.US),
            secrets=m.VapiSecretsRequest(api_key=given["api_key"]),
        ),
    )
    assert isinstance(vapi, m.VapiAccount), vapi
    assert vapi.secrets_set == ["api_key"]
    assert vapi.connection.status.value == "ok"

    # The integration: its kind fixes the config model and the accounts it takes.
    def connect_vapi(assistant_id: str) -> Any:
        return m.ConnectVapiIntegrationRequest(
            name="front-desk",
            kind=m.ConnectVapiKindEnum.CONNECT_VAPI,
            accounts=m.ConnectVapiAccountsRequest(aws=aws.id, vapi=vapi.id),
            config=m.ConnectVapiConfigRequest(
                connect_instance_id=role["connect_instance_id"],
                area_code="503",
                vapi_assistant_id=assistant_id,
                sip_uri_user="frontdesk",
            ),
        )

    # Valid for the schema, but no such assistant at Vapi: a check no schema can say, a 400 saying so.
    refused = api.v1_integrations_create.sync_detailed(client=client, body=connect_vapi("no-such-assistant"))
    assert refused.status_code == 400
    assert isinstance(refused.parsed, m.ApiError)
    assert list(refused.parsed.errors.additional_properties) == ["config.vapi_assistant_id"]

    integration = api.v1_integrations_create.sync(client=client, body=connect_vapi(given["assistant_id"]))
    assert isinstance(integration, m.ConnectVapiIntegration), integration
    assert integration.latest_run is None

    plan = api.v1_integrations_plan_create.sync(integration.id, client=client)
    assert isinstance(plan, m.Plan), plan
    actions = {action.node: action.action.value for action in plan.actions}
    assert actions["voice_connector"] == "create"
    assert "delete" not in actions.values()

    applied = api.v1_integrations_apply_create.sync(integration.id, client=client)
    assert isinstance(applied, m.Run), applied
    run = wait_for(api, client, applied.id)
    assert run.state == m.RunStateEnum.SUCCEEDED, [(e.node, e.outcome, e.message) for e in run.events]
    current = api.v1_integrations_retrieve.sync(integration.id, client=client)
    assert isinstance(current, m.ConnectVapiIntegration)
    assert current.latest_run.id == applied.id

    torn = api.v1_integrations_teardown_create.sync(integration.id, client=client)
    assert isinstance(torn, m.Run), torn
    run = wait_for(api, client, torn.id)
    assert run.state == m.RunStateEnum.SUCCEEDED, [(e.node, e.outcome, e.message) for e in run.events]
    gone = api.v1_integrations_retrieve.sync_detailed(integration.id, client=client)
    assert gone.status_code == 404
    assert isinstance(gone.parsed, m.ApiError)
    assert gone.parsed.code == "not_found"
    assert not Integration.objects.filter(pk=integration.id).exists()
