"""`python -m sandbox` as a user runs it: startup output, clean stop, `--state`, `--describe`."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import dns.resolver
import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
STARTUP_DEADLINE_S = 10  # the sandbox starts in ~0.5 s; the margin absorbs a busy CI machine


class SandboxProcess:
    """A `python -m sandbox` subprocess whose stdout is read on a thread."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--port", "0", "--dns-port", "0", *args],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._export = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if line.startswith("export "):
                self._export.set()

    def wait_until_serving(self) -> float:
        """Seconds until the export line appeared (fails past the deadline)."""
        started = time.monotonic()
        assert self._export.wait(STARTUP_DEADLINE_S), "".join(self.lines)
        return time.monotonic() - started

    @property
    def printed_endpoints(self) -> dict[str, Any]:
        text = "".join(self.lines)
        return json.loads(text[: text.index("\nexport ")])

    @property
    def url(self) -> str:
        return self.printed_endpoints["endpoints"]["aws"]

    def stop(self) -> int:
        """SIGTERM, as `make` or a supervisor stops it; returns the exit status."""
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=30)
        assert self.process.stderr is not None
        self.stderr = self.process.stderr.read()
        return status


@pytest.fixture
def running() -> Iterator[list[SandboxProcess]]:
    started: list[SandboxProcess] = []
    yield started
    for process in started:
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait()


def aws(url: str, service: str) -> Any:
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_startup_prints_the_endpoints_and_an_export_line(running: list[SandboxProcess]) -> None:
    sandbox = SandboxProcess()
    running.append(sandbox)

    sandbox.wait_until_serving()

    printed = sandbox.printed_endpoints
    served = httpx.get(f"{sandbox.url}/_sandbox/").json()
    assert printed["endpoints"] == served["endpoints"]
    assert printed["endpoints"]["vapi"] == f"{sandbox.url}/vapi"
    export = next(line for line in sandbox.lines if line.startswith("export "))
    assert f"AWS_ENDPOINT_URL={sandbox.url} " in export
    assert f"GENESYS_LOGIN_URL={sandbox.url}/genesys " in export
    assert f"CHIME_DNS_SERVER={printed['endpoints']['dns']}" in export
    assert sandbox.stop() == 0
    assert "stopping" in sandbox.stderr


def function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


def create_state(url: str) -> dict[str, str]:
    """Objects of every kind the state file must keep."""
    role = aws(url, "iam").create_role(RoleName="pb-acme-int1-role", AssumeRolePolicyDocument="{}")["Role"]
    ddb = aws(url, "dynamodb")
    ddb.create_table(
        TableName="pb-acme-int1-attributes",
        KeySchema=[{"AttributeName": "caller", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "caller", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName="pb-acme-int1-attributes", Item={"caller": {"S": "+15105550101"}})
    function = aws(url, "lambda").create_function(
        FunctionName="pb-acme-int1-sma",
        Runtime="python3.12",
        Role=role["Arn"],
        Handler="handler.handler",
        Code={"ZipFile": function_zip()},
        Environment={"Variables": {"TABLE_NAME": "pb-acme-int1-attributes"}},
    )
    connector = aws(url, "chime-sdk-voice").create_voice_connector(
        Name="pb-acme-int1-vc", RequireEncryption=False, AwsRegion="us-east-1"
    )["VoiceConnector"]
    return {"code_sha": function["CodeSha256"], "connector": connector["VoiceConnectorId"]}


def test_state_file_keeps_moto_and_stand_in_objects_across_a_restart(
    running: list[SandboxProcess], tmp_path: Path
) -> None:
    state = tmp_path / "sandbox.state"
    first = SandboxProcess("--state", str(state))
    running.append(first)
    first.wait_until_serving()
    made = create_state(first.url)
    assert first.stop() == 0
    assert state.exists()

    second = SandboxProcess("--state", str(state))
    running.append(second)
    second.wait_until_serving()
    url = second.url

    names = {(o["type"], o["name"]) for o in httpx.get(f"{url}/_sandbox/ledger").json()["objects"]}
    assert {
        ("iam.role", "pb-acme-int1-role"),
        ("dynamodb.table", "pb-acme-int1-attributes"),
        ("lambda.function", "pb-acme-int1-sma"),
    } <= names
    assert any(name == "pb-acme-int1-vc" for _, name in names)
    item = aws(url, "dynamodb").get_item(
        TableName="pb-acme-int1-attributes", Key={"caller": {"S": "+15105550101"}}
    )
    assert item["Item"]["caller"] == {"S": "+15105550101"}
    function = aws(url, "lambda").get_function(FunctionName="pb-acme-int1-sma")["Configuration"]
    assert function["CodeSha256"] == made["code_sha"]
    assert function["Environment"]["Variables"] == {"TABLE_NAME": "pb-acme-int1-attributes"}
    connector = aws(url, "chime-sdk-voice").get_voice_connector(VoiceConnectorId=made["connector"])
    assert connector["VoiceConnector"]["Name"] == "pb-acme-int1-vc"
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = int(second.printed_endpoints["endpoints"]["dns"].rsplit(":", 1)[1])
    assert list(resolver.resolve(f"{made['connector']}.voiceconnector.chime.aws", "A"))
    assert second.stop() == 0


def test_describe_prints_operation_and_rule_counts_per_vendor() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "--describe"], cwd=REPO, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[1:] if line.strip()}
    assert rows["moto:iam"][0] == "aws" and int(rows["moto:iam"][1]) > 100
    assert int(rows["core"][2]) >= 3
    assert rows["total"][0].isdigit()
