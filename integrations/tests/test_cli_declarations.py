"""The `patchbay` command line against a live server, a real worker and the sandbox (issue 17, item 5).

What a CI job does with a declaration file: plan (exit 2: changes), apply --wait, plan again (exit 0),
export, then change the file and prune what it no longer declares. The command is the one
`make venv` installs (.venv/bin/patchbay), run as a subprocess with PATCHBAY_URL / PATCHBAY_TOKEN.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from integrations.actions import create_integration, create_provider_account
from integrations.models import Integration
from integrations.models.engine import ResourceNode, Run, RunKind, RunState
from integrations.tests.engine_support import FAST_ENGINE, Sandbox, sandbox_settings
from patchbay_cli.install import install
from tenants.audit import Actor
from tenants.choices import Role
from testing.world import TenantWorld

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

PATCHBAY = Path(sys.executable).parent / "patchbay"
#: seconds one command may take: `apply --wait` follows a whole apply or teardown by a real worker
COMMAND_TIMEOUT = 300


@pytest.fixture(scope="module")
def engine_env(sandbox_server: Any, live_server: Any) -> dict[str, str]:
    # The worker points the Twilio number at PUBLIC_BASE_URL: the live server the CLI talks to.
    return {**sandbox_settings(sandbox_server.url), **FAST_ENGINE, "PUBLIC_BASE_URL": live_server.url}


def _vendor_accounts(sandbox: Sandbox, world: TenantWorld) -> dict[str, Any]:
    """A Twilio and a Synthflow account at the sandbox, saved in the tenant as "phones twilio" and
    "synthflow"; what the sandbox made (number, assistant)."""
    twilio = sandbox.post("accounts", {"vendor": "twilio"})
    synthflow = sandbox.post("accounts", {"vendor": "synthflow", "region": "global"})
    create_provider_account(
        world.tenant,
        name="phones twilio",
        kind="twilio",
        settings={"account_sid": twilio["account_sid"]},
        secrets={"auth_token": twilio["auth_token"]},
        actor=Actor.system(),
    )
    create_provider_account(
        world.tenant,
        name="synthflow",
        kind="synthflow",
        settings={"region": "global", "workspace_id": synthflow["workspace_id"]},
        secrets={"api_key": synthflow["api_key"]},
        actor=Actor.system(),
    )
    return {"twilio": twilio, "synthflow": synthflow}


@pytest.fixture(scope="session")
def patchbay_command(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `patchbay` script `make venv` installs; when pytest runs in a venv made otherwise, the same
    installer writes it into a temporary directory instead (the venv is left as it is)."""
    if PATCHBAY.exists():
        return PATCHBAY
    return install(tmp_path_factory.mktemp("bin"))


def _second_assistant(sandbox: Sandbox, api_key: str) -> str:
    """Another inbound assistant in the Synthflow workspace, made as its owner would (Synthflow's API)."""
    response = httpx.post(
        f"{sandbox.url}/synthflow/v2/assistants",
        headers={"Authorization": f"Bearer {api_key}"},
        json={"type": "inbound", "name": "after hours", "agent": {"prompt": "Take a message"}},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["response"]["model_id"])


Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(live_server: Any, patchbay_command: Path) -> Cli:
    """Runs the command as CI would, the server and token from the environment: `cli(token, *args)`."""

    def run(token: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PATCHBAY_URL": live_server.url, "PATCHBAY_TOKEN": token}
        return subprocess.run(
            [str(patchbay_command), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )

    return run


def test_ci_plans_applies_exports_and_prunes_a_declaration_file(
    cli: Cli, sandbox: Sandbox, engine_worker: Any, world: TenantWorld, tmp_path: Path
) -> None:
    made = _vendor_accounts(sandbox, world)
    token = world.key(Role.OPERATOR)
    # An integration made earlier by hand, which the file will stop declaring.
    legacy = create_integration(
        world.tenant,
        name="legacy",
        kind="twilio_synthflow",
        accounts={a.kind: a for a in world.tenant.provider_accounts.all()},
        config={"twilio_number": "+14155550999", "synthflow_assistant_id": made["synthflow"]["assistant_id"]},
        actor=Actor.system(),
    )
    declaration = {
        "name": "phones",
        "kind": "twilio_synthflow",
        "accounts": {"twilio": "phones twilio", "synthflow": "synthflow"},
        "config": {
            "twilio_number": made["twilio"]["phone_number"],
            "synthflow_assistant_id": made["synthflow"]["assistant_id"],
        },
    }
    path = tmp_path / "phones.yaml"
    path.write_text(yaml.safe_dump(declaration, sort_keys=False))

    # Plan: the integration would be created with its three resources; nothing exists yet.
    plan = cli(token, "plan", str(path))
    assert plan.returncode == 2, plan.stdout + plan.stderr
    assert "+ phones (twilio_synthflow) will be created" in plan.stdout
    assert "+ twilio_voice (twilio.number_voice)" in plan.stdout, plan.stdout
    assert "Plan: 1 to create, 0 to update, 0 to tear down." in plan.stdout
    assert "legacy" not in plan.stdout  # no --prune: undeclared integrations are left alone
    assert not Integration.objects.filter(name="phones").exists()

    # Apply and wait: the run's progress bar reaches 100%.
    applied = cli(token, "apply", str(path), "--wait")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "+ phones: create, apply run" in applied.stdout
    assert "[##############################] 100% succeeded" in applied.stdout
    phones = Integration.objects.get(tenant=world.tenant, name="phones")
    run = Run.objects.get(integration=phones, kind=RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED
    assert all(row.status == "ready" for row in ResourceNode.objects.filter(integration=phones))

    # The same file again: nothing to do, and apply queues nothing.
    again = cli(token, "plan", str(path))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes." in again.stdout
    runs = Run.objects.count()
    assert cli(token, "apply", str(path), "--wait").returncode == 0
    assert Run.objects.count() == runs

    # Export: the declaration as the file says it, with the defaults filled.
    exported = cli(token, "export", "phones")
    assert exported.returncode == 0, exported.stderr
    as_exported = yaml.safe_load(exported.stdout)
    assert {k: as_exported[k] for k in ("name", "kind", "accounts")} == {
        k: declaration[k] for k in ("name", "kind", "accounts")
    }
    assert as_exported["config"].items() >= declaration["config"].items()
    assert str(phones.pk) not in exported.stdout
    assert made["twilio"]["auth_token"] not in exported.stdout

    # A plan of a changed config is the engine's plan with that config: another assistant would
    # take the number (an apply Synthflow refuses, so the file goes back before applying).
    other = _second_assistant(sandbox, made["synthflow"]["api_key"])
    moved = {**as_exported, "config": {**as_exported["config"], "synthflow_assistant_id": other}}
    path.write_text(yaml.safe_dump(moved, sort_keys=False))
    preview = cli(token, "plan", str(path))
    assert preview.returncode == 2, preview.stdout + preview.stderr
    assert f'~ config.synthflow_assistant_id: "{made["synthflow"]["assistant_id"]}" -> "{other}"' in (
        preview.stdout
    )
    assert "~ assistant_number (synthflow.assistant_number)" in preview.stdout, preview.stdout
    phones.refresh_from_db()
    assert phones.config["synthflow_assistant_id"] == made["synthflow"]["assistant_id"]  # a dry run

    # Change the file (drift is only reported) and prune: legacy goes, phones is updated in place.
    path.write_text(yaml.safe_dump({**as_exported, "policy": "report"}, sort_keys=False))
    pruning = cli(token, "plan", str(path), "--prune")
    assert pruning.returncode == 2, pruning.stdout + pruning.stderr
    assert '~ policy: "heal" -> "report"' in pruning.stdout
    assert "- legacy (twilio_synthflow) will be torn down" in pruning.stdout
    pruned = cli(token, "apply", str(path), "--prune")
    assert pruned.returncode == 0, pruned.stdout + pruned.stderr
    queued = dict(re.findall(r"^. (\S+): \S+, \w+ run (\d+) ", pruned.stdout, re.MULTILINE))
    assert set(queued) == {"phones", "legacy"}, pruned.stdout
    # Follow each run as an operator would: its events, then the bar at 100%.
    for name, run_id in queued.items():
        watched = cli(token, "runs", "watch", run_id)
        assert watched.returncode == 0, watched.stdout + watched.stderr
        assert f"of {name}  [##############################] 100% succeeded" in watched.stdout
    assert "teardown ok" in watched.stdout or "delete ok" in watched.stdout, watched.stdout
    assert not Integration.objects.filter(pk=legacy.pk).exists()
    assert Integration.objects.get(pk=phones.pk).policy == "report"
    final = cli(token, "plan", str(path), "--prune")
    assert final.returncode == 0, final.stdout + final.stderr


def test_errors_are_one_line_naming_the_field_or_the_status(
    cli: Cli, sandbox: Sandbox, world: TenantWorld, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: phones\nkind: twilio_synthflow\naccounts: {twilio: nobody, synthflow: nobody}\n"
        "config: {twilio_number: '+14155550100', synthflow_assistant_id: a-1}\n"
    )

    bad = cli(world.key(Role.OPERATOR), "plan", str(path))
    viewer = cli(world.key(Role.VIEWER), "apply", str(path))
    missing = cli(world.key(Role.VIEWER), "export", "nope")
    no_token = cli("", "export", "nope")

    assert bad.returncode == 1
    assert bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("patchbay: error: HTTP 400 Bad Request: phones.accounts.")
    assert viewer.returncode == 1
    assert viewer.stderr.startswith("patchbay: error: HTTP 403 Forbidden")
    assert missing.stderr == "patchbay: error: no integration named 'nope'\n"
    assert no_token.returncode == 1
    assert "PATCHBAY_TOKEN" in no_token.stderr


def test_the_installer_writes_a_command_that_runs_this_checkout(tmp_path: Path) -> None:
    command = install(tmp_path)

    usage = subprocess.run([str(command), "--help"], capture_output=True, text=True, timeout=60, check=False)
    wrong = subprocess.run([str(command), "plan"], capture_output=True, text=True, timeout=60, check=False)

    assert usage.returncode == 0
    assert "plan" in usage.stdout and "runs" in usage.stdout
    assert wrong.returncode == 1  # a usage error is 1, never 2 ("changes")
    assert wrong.stderr == "patchbay: error: the following arguments are required: FILE\n"
