"""connect_vapi's Lambda, SIP rule and header checks on an integration applied by the real worker:
the apply's own report is clean; vendor-side edits give each finding with its evidence and fix; a
vendor read that fails says it cannot decide; applying again puts everything right."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.runner import evaluate_checks, latest_report
from integrations.lambdas.package import build_package
from integrations.models import Integration, ResourceNode
from integrations.models.engine import RunKind, RunState
from integrations.tests.engine_support import (
    ConnectVapiSetup,
    Sandbox,
    events_text,
    make_connect_vapi,
    run_to_end,
)
from testing.waits import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


CHECKS = ("x-amzn-header", "sip-rule-target", "lambda-associated", "sma-hangup")


@pytest.fixture
def applied(sandbox: Sandbox, engine_worker: Any) -> ConnectVapiSetup:
    setup = make_connect_vapi(sandbox, forward_attributes=["customer-id"])
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    return setup


def _findings(integration: Integration) -> dict[str, Any]:
    integration.refresh_from_db()
    return {f.check: f for f in evaluate_checks(integration) if f.check in CHECKS}


def _external_id(setup: ConnectVapiSetup, node: str) -> str:
    return ResourceNode.objects.get(integration_id=setup.integration.pk, node=node).external_id


def _other_code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sma_handler.py", "def handler(event, context):\n    return {'Actions': []}\n")
    return buffer.getvalue()


def test_applied_is_clean_then_each_vendor_edit_is_found_and_apply_fixes_it(
    sandbox: Sandbox, applied: ConnectVapiSetup
) -> None:
    integration = applied.refresh()
    # The apply's diagnostics are queued when the run commits and run by the worker just after it.
    report = wait_until(lambda: latest_report(integration), message="no diagnostics report after the apply")
    assert report.trigger == "apply"
    after_apply = {f["check"]: f for f in report.findings}
    assert {name: after_apply[name]["status"] for name in CHECKS} == dict.fromkeys(CHECKS, "ok")
    assert build_package("sma_handler").code_sha256 in after_apply["sma-hangup"]["evidence"]

    aws = CheckContext(integration).clients.aws
    rule_id = _external_id(applied, "sip_rule")
    sma_name = _external_id(applied, "sma_lambda")
    connect_name = _external_id(applied, "connect_lambda")
    connect_arn = ResourceNode.objects.get(integration_id=integration.pk, node="connect_lambda").outputs[
        "arn"
    ]
    rule = aws.call("chime-sdk-voice", "get_sip_rule", SipRuleId=rule_id)["SipRule"]
    sma_env = aws.call("lambda", "get_function_configuration", FunctionName=sma_name)["Environment"]

    # Someone disables the rule, drops the association, edits both Lambdas' environment.
    aws.call("chime-sdk-voice", "update_sip_rule", SipRuleId=rule_id, Name=rule["Name"], Disabled=True)
    aws.call(
        "connect",
        "disassociate_lambda_function",
        InstanceId=applied.connect_instance_id,
        FunctionArn=connect_arn,
    )
    aws.call(
        "lambda",
        "update_function_configuration",
        FunctionName=connect_name,
        Environment={"Variables": {"TABLE_NAME": "t", "FORWARD_ATTRIBUTES": "customer-id,Amzn_Trace"}},
    )
    trimmed = {"TABLE_NAME": sma_env["Variables"]["TABLE_NAME"], "EXTRA_HEADERS": "X-Amzn-Debug=1"}
    aws.call(
        "lambda", "update_function_configuration", FunctionName=sma_name, Environment={"Variables": trimmed}
    )
    before = sandbox.request_count()
    bad = _findings(integration)
    reads = [r["operation"] for r in sandbox.ledger(since=before)["requests"]]
    # One read per object: both checks that look at the SMA handler share its GetFunction.
    assert reads.count("GetFunction") == 2 and reads.count("GetSipRule") == 1
    assert reads.count("ListLambdaFunctions") == 1
    rule_finding = bad["sip-rule-target"]
    assert rule_finding.status == "problem" and "disabled" in rule_finding.message
    assert f"rule {rule_id}: Disabled=True" in rule_finding.evidence
    assert rule_finding.fix.startswith("Apply the integration")
    association = bad["lambda-associated"]
    assert association.status == "problem" and "Invoke AWS Lambda block fails" in association.message
    assert f"expected {connect_arn}" in association.evidence
    hangup = bad["sma-hangup"]
    assert hangup.status == "problem" and hangup.severity == "error"
    assert "lacks VOICE_CONNECTOR_ARN, SIP_URI_USER" in hangup.message
    amzn = bad["x-amzn-header"]
    assert amzn.status == "problem" and amzn.severity == "warning"  # Patchbay's handler drops it
    assert "'Amzn_Trace' → x-amzn-trace" in amzn.evidence
    assert f"{sma_name} environment EXTRA_HEADERS: names x-amzn-debug" in amzn.evidence
    assert "=1" not in amzn.evidence  # variable values are never shown

    # The rule comes back but aimed at another SIP media application; other code replaces the handler.
    other = aws.call(
        "chime-sdk-voice",
        "create_sip_media_application",
        AwsRegion="us-east-1",
        Name="someone-elses-sma",
        Endpoints=[
            {
                "LambdaArn": ResourceNode.objects.get(
                    integration_id=integration.pk, node="sma_lambda"
                ).outputs["arn"]
            }
        ],
    )["SipMediaApplication"]["SipMediaApplicationId"]
    aws.call(
        "chime-sdk-voice",
        "update_sip_rule",
        SipRuleId=rule_id,
        Name=rule["Name"],
        Disabled=False,
        TargetApplications=[{"SipMediaApplicationId": other, "Priority": 1, "AwsRegion": "us-east-1"}],
    )
    aws.call("lambda", "update_function_code", FunctionName=sma_name, ZipFile=_other_code())
    aws.call("lambda", "update_function_configuration", FunctionName=sma_name, Environment=sma_env)
    worse = _findings(integration)
    assert f"first target is {other}" in worse["sip-rule-target"].message
    hangup = worse["sma-hangup"]
    assert hangup.status == "problem" and hangup.severity == "warning"
    assert "cannot read the code to tell whether it handles HANGUP" in hangup.message
    assert "Vapi leg connected" in hangup.message
    amzn = worse["x-amzn-header"]
    assert amzn.status == "problem" and amzn.severity == "error"
    assert "calls are dropped" in amzn.message and "not Patchbay's build" in amzn.evidence

    # Vendor reads that fail (one per function): the Lambda checks say they cannot decide, and why.
    sandbox.fault("lambda", "GetFunction", "error", times=2, status=403, code="AccessDeniedException")
    blind = _findings(integration)
    assert blind["sma-hangup"].status == "unknown" and "GetFunction" in blind["sma-hangup"].message
    assert blind["x-amzn-header"].status == "unknown"
    sandbox.clear_faults()

    run = run_to_end(integration, RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    healed = _findings(integration)
    statuses = {name: healed[name].status for name in CHECKS}
    assert statuses == dict.fromkeys(CHECKS, "ok"), {n: healed[n].message for n in CHECKS}


def test_a_deleted_sip_rule_and_sma_lambda_are_problems(sandbox: Sandbox, applied: ConnectVapiSetup) -> None:
    integration = applied.refresh()
    aws = CheckContext(integration).clients.aws
    rule_id = _external_id(applied, "sip_rule")
    sma_name = _external_id(applied, "sma_lambda")
    rule = aws.call("chime-sdk-voice", "get_sip_rule", SipRuleId=rule_id)["SipRule"]
    aws.call("chime-sdk-voice", "update_sip_rule", SipRuleId=rule_id, Name=rule["Name"], Disabled=True)
    aws.call("chime-sdk-voice", "delete_sip_rule", SipRuleId=rule_id)
    aws.call("lambda", "delete_function", FunctionName=sma_name)
    findings = _findings(integration)
    assert findings["sip-rule-target"].status == "problem"
    assert "no longer exists" in findings["sip-rule-target"].message
    gone = findings["sma-hangup"]
    assert gone.status == "problem" and gone.severity == "error"
    assert f"The SMA Lambda {sma_name} no longer exists" in gone.message
    assert gone.evidence == f"GetFunction {sma_name}: not found"
    assert findings["lambda-associated"].status == "ok"
    assert findings["x-amzn-header"].status == "ok"
