"""What one AWS request needs from IAM: its action, the resource it touches, dependent actions.

The action is `<signing name>:<operation>` (the Service Authorization
Reference names each operation's action after the operation, with the
service prefix: `chime:CreateVoiceConnector`, `iam:CreateRole`, ...). The
resource is the ARN the Service Authorization Reference gives the operation's
resource type, built from the request's own members:

- iam: `arn:aws:iam::<account>:role/<RoleName>`, with the context key
  `iam:PolicyARN` on Attach/DetachRolePolicy;
- dynamodb: `arn:aws:dynamodb:<region>:<account>:table/<TableName>`;
- lambda: `arn:aws:lambda:<region>:<account>:function:<FunctionName>`;
  CreateFunction and UpdateFunctionConfiguration with a `Role` also need
  `iam:PassRole` on that role, context `iam:PassedToService` =
  `lambda.amazonaws.com` (Lambda Developer Guide, "Lambda execution role");
- logs: `arn:aws:logs:<region>:<account>:log-group:<logGroupName>`;
- connect: the instance; `.../instance/<id>/contact-flow/<flow id>` for a
  flow; `...:phone-number/<id>` for a number (AssociatePhoneNumberContactFlow
  needs both the number and the flow);
- chime, sts and the rest: `*`.

Chime SDK Voice objects are named by generated ids, so nothing narrower than
`*` can be written for them in advance (a known difference: the sandbox does
not evaluate Chime resource ARNs).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from werkzeug.wrappers import Request

from sandbox.aws.identity_policy import Authorization
from sandbox.aws.model_stand_in import load_service
from sandbox.aws.operation_names import protocol_of
from sandbox.aws.service_model import AwsError

PASS_ROLE = "iam:PassRole"
LAMBDA_PRINCIPAL = "lambda.amazonaws.com"


def request_params(service: str, request: Request, body: bytes) -> dict[str, Any]:
    """The request's input members, read the way its protocol carries them (empty when unreadable)."""
    protocol = protocol_of(service)
    if protocol == "query":
        return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items() if v}
    if protocol == "json":
        try:
            parsed = json.loads(body or b"{}")
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    if protocol != "rest-json":
        return {}
    model_name = "chime-sdk-voice" if service == "chime" else service
    rest = load_service(model_name, "BadRequestException")
    matched = rest.match(request, request.path)
    if matched is None:
        return {}
    try:
        return rest.parse_input(matched, request)
    except AwsError:
        return {}


def _last(value: Any, separator: str) -> str:
    return str(value or "").rsplit(separator, 1)[-1]


def _lambda_arn(name: Any, region: str, account: str) -> str:
    text = str(name or "")
    if text.startswith("arn:"):
        return ":".join(text.split(":")[:7])  # without a version or alias qualifier
    return f"arn:aws:lambda:{region}:{account}:function:{text.split(':')[0]}"


def _connect(operation: str, params: dict[str, Any], region: str, account: str) -> list[str]:
    base = f"arn:aws:connect:{region}:{account}"
    raw_instance = str(params.get("InstanceId") or params.get("TargetArn") or "")
    instance_id = raw_instance.split("instance/", 1)[-1].split("/")[0]
    instance = f"{base}:instance/{instance_id}" if instance_id else "*"
    flow_id = _last(str(params.get("ContactFlowId") or "").split(":$")[0], "/")
    flow = f"{instance}/contact-flow/{flow_id}" if flow_id and instance_id else ""
    number_id = _last(params.get("PhoneNumberId"), "/")
    number = f"{base}:phone-number/{number_id}" if number_id else ""
    if operation == "AssociatePhoneNumberContactFlow":
        return [number, flow]
    if number:
        return [number]
    if flow and operation != "CreateContactFlow":
        return [flow]
    return [instance]


def authorizations(
    service: str, operation: str, params: dict[str, Any], region: str, account: str
) -> list[Authorization]:
    """Every action (with its resource and context) this request needs; all must be allowed."""
    action = f"{service}:{operation}"
    if service == "iam" and params.get("RoleName"):
        context = {"iam:PolicyARN": str(params["PolicyArn"])} if params.get("PolicyArn") else {}
        return [Authorization(action, f"arn:aws:iam::{account}:role/{params['RoleName']}", context)]
    if service == "dynamodb" and params.get("TableName"):
        return [Authorization(action, f"arn:aws:dynamodb:{region}:{account}:table/{params['TableName']}")]
    if service == "logs" and (params.get("logGroupName") or params.get("logGroupIdentifier")):
        group = params.get("logGroupName") or _last(params["logGroupIdentifier"], "log-group:")
        return [Authorization(action, f"arn:aws:logs:{region}:{account}:log-group:{group}")]
    if service == "lambda" and params.get("FunctionName"):
        needs = [Authorization(action, _lambda_arn(params["FunctionName"], region, account))]
        if operation in ("CreateFunction", "UpdateFunctionConfiguration") and params.get("Role"):
            needs.append(
                Authorization(PASS_ROLE, str(params["Role"]), {"iam:PassedToService": LAMBDA_PRINCIPAL})
            )
        return needs
    if service == "connect":
        return [Authorization(action, arn) for arn in _connect(operation, params, region, account) if arn]
    return [Authorization(action, "*")]
