"""The least-privilege permission policy of the role Patchbay assumes in a customer's AWS account.

The trust policy (`ProviderAccount.trust_policy`) lets Patchbay assume the
role; this policy says what Patchbay may then do. It allows exactly the AWS
operations Patchbay calls (`AwsSession.call` / `paginate`, in botocore's
snake_case names), each as its IAM action: the service's prefix (botocore's
model: the signing name, `chime` for chime-sdk-voice) and the operation's
name, as the Service Authorization Reference names them
(`chime:CreateVoiceConnector`, `connect:AssociatePhoneNumberContactFlow`).
`integrations/tests/test_aws_permissions.py` scans the code for those calls:
a call missing here, or an operation listed here that nothing calls, fails it.

Resources are narrowed where AWS's resource types allow it: Patchbay's own
objects carry names starting `pb-` (`engine/names.py`), Connect objects are
scoped to the account's instances and numbers, and the IAM role may attach
only the managed policy Patchbay attaches and be passed only to Lambda.
Chime SDK Voice objects are named by ids AWS generates, so their actions take
`*`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import botocore.session

from integrations.vendors.aws.logs import lambda_log_group, sip_log_group

#: the managed policy the Lambdas' execution role gets (blueprints/connect_vapi.py), the only one attachable
LAMBDA_BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
#: what every external name of Patchbay's starts with (engine/names.py)
NAME_PREFIX = "pb-"
_ACCOUNT_IN_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/")


@dataclass(frozen=True)
class Scope:
    """One statement of the policy: its id, the resources (with `{account}`) and any condition."""

    sid: str
    resources: tuple[str, ...]
    condition: tuple[tuple[str, str, str], ...] = ()  # (operator, key, value)


CHIME = Scope("ChimeSdkVoice", ("*",))
CONNECT_INSTANCES = Scope("ConnectInstancesAndFlows", ("arn:aws:connect:*:{account}:instance/*",))
#: ListInstances has no resource type (Service Authorization Reference, Amazon Connect): `*`
CONNECT_LIST_INSTANCES = Scope("ConnectListInstances", ("*",))
CONNECT_NUMBERS = Scope(
    "ConnectPhoneNumbers",
    ("arn:aws:connect:*:{account}:phone-number/*", "arn:aws:connect:*:{account}:instance/*"),
)
ROLES = Scope("LambdaExecutionRoles", ("arn:aws:iam::{account}:role/" + NAME_PREFIX + "*",))
ATTACH_BASIC_EXECUTION = Scope(
    "AttachOnlyLambdaBasicExecution",
    ROLES.resources,
    (("ArnEquals", "iam:PolicyARN", LAMBDA_BASIC_EXECUTION),),
)
PASS_ROLE_TO_LAMBDA = Scope(
    "PassExecutionRolesToLambda",
    ROLES.resources,
    (("StringEquals", "iam:PassedToService", "lambda.amazonaws.com"),),
)
FUNCTIONS = Scope("Functions", ("arn:aws:lambda:*:{account}:function:" + NAME_PREFIX + "*",))
TABLES = Scope("AttributeTables", ("arn:aws:dynamodb:*:{account}:table/" + NAME_PREFIX + "*",))
CALL_LOGS = Scope(
    "CallLogs",
    (
        "arn:aws:logs:*:{account}:log-group:" + sip_log_group("*"),
        "arn:aws:logs:*:{account}:log-group:" + lambda_log_group(NAME_PREFIX + "*"),
    ),
)

#: every AWS operation Patchbay calls: botocore service → snake_case operation → its statement
OPERATIONS: dict[str, dict[str, Scope]] = {
    "chime-sdk-voice": {
        operation: CHIME
        for operation in (
            "associate_phone_numbers_with_voice_connector",
            "create_phone_number_order",
            "create_sip_media_application",
            "create_sip_rule",
            "create_voice_connector",
            "delete_phone_number",
            "delete_sip_media_application",
            "delete_sip_rule",
            "delete_voice_connector",
            "delete_voice_connector_origination",
            "delete_voice_connector_termination",
            "delete_voice_connector_termination_credentials",
            "disassociate_phone_numbers_from_voice_connector",
            "get_phone_number",
            "get_phone_number_order",
            "get_sip_media_application",
            "get_sip_rule",
            "get_voice_connector",
            "get_voice_connector_logging_configuration",
            "get_voice_connector_origination",
            "get_voice_connector_termination",
            "get_voice_connector_termination_health",
            "list_phone_numbers",
            "list_sip_media_applications",
            "list_sip_rules",
            "list_voice_connector_termination_credentials",
            "list_voice_connectors",
            "put_voice_connector_logging_configuration",
            "put_voice_connector_origination",
            "put_voice_connector_termination",
            "put_voice_connector_termination_credentials",
            "restore_phone_number",
            "search_available_phone_numbers",
            "update_phone_number",
            "update_sip_media_application",
            "update_sip_rule",
            "update_voice_connector",
        )
    },
    "connect": {
        "associate_lambda_function": CONNECT_INSTANCES,
        "create_contact_flow": CONNECT_INSTANCES,
        "delete_contact_flow": CONNECT_INSTANCES,
        "describe_contact_flow": CONNECT_INSTANCES,
        "disassociate_lambda_function": CONNECT_INSTANCES,
        "list_contact_flows": CONNECT_INSTANCES,
        "list_flow_associations": CONNECT_INSTANCES,
        "list_lambda_functions": CONNECT_INSTANCES,
        "update_contact_flow_content": CONNECT_INSTANCES,
        "update_contact_flow_metadata": CONNECT_INSTANCES,
        "describe_phone_number": CONNECT_NUMBERS,
        "list_phone_numbers_v2": CONNECT_NUMBERS,
        "list_instances": CONNECT_LIST_INSTANCES,
        "associate_phone_number_contact_flow": CONNECT_NUMBERS,
        "disassociate_phone_number_contact_flow": CONNECT_NUMBERS,
    },
    "iam": {
        "create_role": ROLES,
        "delete_role": ROLES,
        "delete_role_policy": ROLES,
        "detach_role_policy": ROLES,
        "get_role": ROLES,
        "get_role_policy": ROLES,
        "list_attached_role_policies": ROLES,
        "list_role_policies": ROLES,
        "put_role_policy": ROLES,
        "update_assume_role_policy": ROLES,
        "attach_role_policy": ATTACH_BASIC_EXECUTION,
    },
    "lambda": {
        operation: FUNCTIONS
        for operation in (
            "add_permission",
            "create_function",
            "delete_function",
            "get_function",
            "get_function_configuration",
            "get_policy",
            "remove_permission",
            "update_function_code",
            "update_function_configuration",
        )
    },
    "dynamodb": {
        operation: TABLES
        for operation in (
            "create_table",
            "delete_table",
            "describe_table",
            "describe_time_to_live",
            "update_time_to_live",
        )
    },
    "logs": {"filter_log_events": CALL_LOGS},
}

#: actions IAM checks besides an operation's own: Lambda asks for iam:PassRole on the execution role
#: it is given (Lambda Developer Guide, "Lambda execution role": the caller needs iam:PassRole)
DEPENDENT_ACTIONS: dict[tuple[str, str], tuple[tuple[str, Scope], ...]] = {
    ("lambda", "create_function"): (("iam:PassRole", PASS_ROLE_TO_LAMBDA),),
    ("lambda", "update_function_configuration"): (("iam:PassRole", PASS_ROLE_TO_LAMBDA),),
}


@functools.cache
def _actions_of(service: str) -> tuple[str, dict[str, str]]:
    """(the IAM prefix, snake_case operation → its name) of a botocore service model."""
    model = botocore.session.get_session().get_service_model(service)
    prefix = model.metadata.get("signingName") or model.metadata["endpointPrefix"]
    return prefix, {botocore.xform_name(name): name for name in model.operation_names}


def iam_action(service: str, operation: str) -> str:
    """The IAM action of a botocore operation: (chime-sdk-voice, create_sip_rule) → chime:CreateSipRule."""
    prefix, names = _actions_of(service)
    if operation not in names:
        raise KeyError(f"botocore's {service} model has no operation {operation!r}")
    return f"{prefix}:{names[operation]}"


def account_id_of(role_arn: str) -> str:
    """The 12-digit account of a role ARN, or `*` when it cannot be read (any account)."""
    match = _ACCOUNT_IN_ROLE_ARN.match(role_arn or "")
    return match.group(1) if match else "*"


def permission_policy(account_id: str = "*") -> dict[str, Any]:
    """The IAM policy document to attach to the role Patchbay assumes in `account_id`."""
    actions: dict[Scope, set[str]] = {}
    for service, operations in OPERATIONS.items():
        for operation, scope in operations.items():
            actions.setdefault(scope, set()).add(iam_action(service, operation))
            for action, dependent in DEPENDENT_ACTIONS.get((service, operation), ()):
                actions.setdefault(dependent, set()).add(action)
    statements = []
    for scope, names in actions.items():
        resources = [r.format(account=account_id) for r in scope.resources]
        statement: dict[str, Any] = {
            "Sid": scope.sid,
            "Effect": "Allow",
            "Action": sorted(names),
            "Resource": resources[0] if len(resources) == 1 else resources,
        }
        if scope.condition:
            condition: dict[str, dict[str, str]] = {}
            for operator, key, value in scope.condition:
                condition.setdefault(operator, {})[key] = value
            statement["Condition"] = condition
        statements.append(statement)
    return {"Version": "2012-10-17", "Statement": statements}
