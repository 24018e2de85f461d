"""Simulated calls to an Amazon Connect number: the contact flow associated with it runs, as the flow
language says (sandbox/aws/connect/contact_call.py), and transfers to the Chime number."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from integrations.contact_flows import SORRY_TEXT, vapi_transfer_flow
from integrations.lambdas.package import build_package
from sandbox.tests.call_deployment import CALLER, REGION, Deployment, deploy

CONNECT_NUMBER = "+13125557001"


@dataclass
class ConnectRoute:
    """A Connect instance whose claimed number routes to a flow that ends at the deployment's Chime number."""

    deployment: Deployment
    instance_id: str
    instance_arn: str
    number: str
    flow_id: str


def connect_function(aws_client: Callable[..., Any], name: str, source: str | None = None) -> str:
    """A function Connect may invoke: Patchbay's connect handler, or `source` as handler.handler."""
    role_arn = aws_client("iam").get_role(RoleName="pb-acme-int1-role")["Role"]["Arn"]
    if source is None:
        package = build_package("connect_handler")
        code, handler = package.zip_bytes, package.handler
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("handler.py", textwrap.dedent(source))
        code, handler = buffer.getvalue(), "handler.handler"
    lam = aws_client("lambda")
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler=handler,
        Timeout=8,
        Code={"ZipFile": code},
        Environment={"Variables": {"TABLE_NAME": "pb-acme-int1-attributes", "FORWARD_ATTRIBUTES": ""}},
    )["FunctionArn"]
    lam.add_permission(
        FunctionName=name,
        StatementId="connect",
        Action="lambda:InvokeFunction",
        Principal="connect.amazonaws.com",
    )
    return arn


def route(
    aws_client: Callable[..., Any],
    deployment: Deployment,
    flow: Callable[[str], dict[str, Any]],
    function: str,
) -> ConnectRoute:
    """An instance, its claimed number and `flow(function ARN)` associated with that number."""
    connect = aws_client("connect")
    instance = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED", InboundCallsEnabled=True, OutboundCallsEnabled=True
    )
    connect.associate_lambda_function(InstanceId=instance["Id"], FunctionArn=function)
    number_id = connect.claim_phone_number(InstanceId=instance["Id"], PhoneNumber=CONNECT_NUMBER)[
        "PhoneNumberId"
    ]
    flow_id = connect.create_contact_flow(
        InstanceId=instance["Id"],
        Name="pb-acme-int1-flow",
        Type="CONTACT_FLOW",
        Content=json.dumps(flow(function)),
    )["ContactFlowId"]
    connect.associate_phone_number_contact_flow(
        PhoneNumberId=number_id, InstanceId=instance["Id"], ContactFlowId=flow_id
    )
    return ConnectRoute(deployment, instance["Id"], instance["Arn"], CONNECT_NUMBER, flow_id)


def patchbays_flow(deployment: Deployment) -> Callable[[str], dict[str, Any]]:
    return lambda arn: vapi_transfer_flow(
        integration_name="int1", connect_lambda_arn=arn, chime_number=deployment.chime_number
    )


def call_connect(route_: ConnectRoute, **extra: Any) -> dict[str, Any]:
    body = {"via": "connect", "from": CALLER, "to": route_.number, **extra}
    response = httpx.post(f"{route_.deployment.url}/_sandbox/calls", json=body, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def steps(answer: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(s["action"], s["outcome"], s["error"]) for s in answer["connect"]["steps"]]


def patchbay_deployment(url: str, aws_client: Callable[..., Any]) -> Deployment:
    sma = build_package("sma_handler")
    return deploy(url, aws_client, package=(sma.zip_bytes, sma.handler))


def test_the_connect_number_runs_patchbays_flow_which_carries_the_attributes_to_vapi(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    deployment = patchbay_deployment(sandbox_url, aws_client)
    function = connect_function(aws_client, "pb-acme-int1-connect")
    connect = route(aws_client, deployment, patchbays_flow(deployment), function)

    answer = call_connect(connect, attributes={"CustomerName": "Ada Lovelace"})

    assert (answer["status"], answer["far_end"]) == (200, "vapi")
    assert steps(answer) == [
        ("set-attributes", "set", None),
        ("store-attributes", "invoked", None),
        ("transfer-to-agent", "ended", None),
    ]
    assert answer["delivered_headers"]["x-customername"] == "Ada Lovelace"
    # The flow set the caller's number from $.CustomerEndpoint.Address; the Lambda forwarded it.
    assert CALLER in answer["delivered_headers"].values()
    invocation = answer["lambda"]["connect"]["invocations"][0]
    contact = invocation["event"]["Details"]["ContactData"]
    assert contact["Attributes"] == {
        "CustomerName": "Ada Lovelace",
        "patchbay_integration": "int1",
        "caller_number": CALLER,
    }
    assert contact["SystemEndpoint"] == {"Address": CONNECT_NUMBER, "Type": "TELEPHONE_NUMBER"}
    assert contact["InstanceARN"] == connect.instance_arn
    assert answer["lambda"]["connect"]["timeout_s"] == 8.0  # the flow's InvocationTimeLimitSeconds
    assert answer["connect"]["flow"]["id"] == connect.flow_id
    assert answer["lambda"]["sma"]["outcome"] == "ACTION_SUCCESSFUL"


def test_a_refused_transfer_takes_the_flows_error_branch(
    sandbox_server: Any, sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    deployment = patchbay_deployment(sandbox_url, aws_client)
    connect = route(
        aws_client,
        deployment,
        patchbays_flow(deployment),
        connect_function(aws_client, "pb-acme-int1-connect"),
    )
    # Vapi allows none of the connector's addresses any more: its INVITE is refused (401).
    vapi = sandbox_server.sandbox.stand_in("vapi")
    for credential in vapi.credentials.values():
        credential["gateways"] = [{"ip": "198.51.100.7", "netmask": 32, "inboundEnabled": True}]

    answer = call_connect(connect)

    assert (answer["status"], answer["far_end"]) == (401, "vapi")
    assert steps(answer)[-3:] == [
        ("transfer-to-agent", "failed", "CallFailed"),
        ("say-sorry", "said", None),
        ("disconnect", "ended", None),
    ]
    assert answer["connect"]["said"] == [SORRY_TEXT]


SLOW_HANDLER = """
import time

def handler(event, context):
    time.sleep(3)
    return {"late": "true"}
"""

ROUTING_HANDLER = """
def handler(event, context):
    print(event["Details"]["Parameters"])
    return {"agent_number": event["Details"]["Parameters"]["agent"]}
"""


def custom_flow(
    transfer_to: str, invocation_attributes: dict[str, str] | None = None, limit: str = "8"
) -> Callable[[str], dict[str, Any]]:
    """Invoke the function (with its time limit and attributes), then transfer to `transfer_to`."""

    def build(arn: str) -> dict[str, Any]:
        flow = vapi_transfer_flow(integration_name="int1", connect_lambda_arn=arn, chime_number=transfer_to)
        invoke = next(a for a in flow["Actions"] if a["Type"] == "InvokeLambdaFunction")
        invoke["Parameters"]["InvocationTimeLimitSeconds"] = limit
        if invocation_attributes:
            invoke["Parameters"]["LambdaInvocationAttributes"] = invocation_attributes
        return flow

    return build


def test_a_lambda_slower_than_the_flows_time_limit_takes_the_error_branch_and_the_call_goes_on(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    deployment = deploy(sandbox_url, aws_client)
    function = connect_function(aws_client, "pb-acme-int1-slow", SLOW_HANDLER)
    connect = route(aws_client, deployment, custom_flow(deployment.chime_number, limit="1"), function)

    answer = call_connect(connect)

    assert "Task timed out after 1.00 seconds" in answer["lambda"]["connect"]["error"]
    assert ("store-attributes", "failed", "NoMatchingError") in steps(answer)
    assert (answer["status"], answer["far_end"]) == (200, "vapi")  # the error branch still transfers


def test_invocation_attributes_reach_the_lambda_and_its_answer_picks_the_transfer_target(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    deployment = deploy(sandbox_url, aws_client)
    function = connect_function(aws_client, "pb-acme-int1-router", ROUTING_HANDLER)
    flow = custom_flow(
        "$.External.agent_number", {"agent": deployment.chime_number, "caller": "$.CustomerEndpoint.Address"}
    )
    connect = route(aws_client, deployment, flow, function)

    answer = call_connect(connect)

    parameters = answer["lambda"]["connect"]["invocations"][0]["event"]["Details"]["Parameters"]
    assert parameters == {"agent": deployment.chime_number, "caller": CALLER}
    assert (answer["status"], answer["far_end"]) == (200, "vapi")


def test_a_number_nobody_answers_fails_the_transfer_and_every_answer_carries_far_end(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    deployment = deploy(sandbox_url, aws_client)
    function = connect_function(aws_client, "pb-acme-int1-connect")
    connect = route(aws_client, deployment, custom_flow("+12065550199"), function)

    answer = call_connect(connect)

    assert (answer["status"], answer["far_end"]) == (404, "")
    assert ("transfer-to-agent", "failed", "CallFailed") in steps(answer)
    assert answer["connect"]["said"] == [SORRY_TEXT]


def test_a_connect_number_without_a_flow_is_not_answered(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    connect = aws_client("connect")
    instance = connect.create_instance(
        IdentityManagementType="CONNECT_MANAGED", InboundCallsEnabled=True, OutboundCallsEnabled=True
    )
    connect.claim_phone_number(InstanceId=instance["Id"], PhoneNumber=CONNECT_NUMBER)
    body = {"via": "connect", "from": CALLER, "to": CONNECT_NUMBER}

    answer = httpx.post(f"{sandbox_url}/_sandbox/calls", json=body, timeout=30).json()

    assert (answer["status"], answer["far_end"]) == (480, "")
    assert "associated with no contact flow" in answer["detail"]


@pytest.mark.parametrize("hint", [{"connect_lambda": "pb-acme-int1-connect"}, {"parameters": {"a": "b"}}])
def test_hints_are_refused_the_flow_decides(sandbox_url: str, hint: dict[str, Any]) -> None:
    body = {"via": "connect", "from": CALLER, "to": CONNECT_NUMBER, "region": REGION, **hint}

    response = httpx.post(f"{sandbox_url}/_sandbox/calls", json=body, timeout=30)

    assert response.status_code == 400
    assert "call the Connect number, whose contact flow decides" in response.json()["detail"]
