"""The permission policy covers every AWS operation Patchbay's code calls, and nothing else.

The code's AWS requests are built in the typed clients only (integrations/vendors/aws/<service>.py:
`self._call("operation", ...)` under the class's `SERVICE`); a generic `AwsSession.call(service,
operation, ...)` anywhere else in the apps fails the first test. They are found by reading the
source (ast): the service and operation must be string constants, module constants, or a
loop over constants, so every call stays readable here. The policy is then checked the way
the sandbox enforces it (sandbox/aws/identity_policy.py) for a request of each operation on
Patchbay's own objects.
"""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from integrations.aws_permissions import OPERATIONS, iam_action, permission_policy
from sandbox.aws.identity_policy import ALLOW, decide
from sandbox.aws.request_authorizations import authorizations

ROOT = Path(__file__).resolve().parents[2]
#: Patchbay's own code: the apps (not tests, not the Lambda code, which runs with its own role)
SCANNED = ("integrations", "calls", "tenants", "controlplane")
ACCOUNT = "123456789012"
#: one typed client per AWS service (integrations/vendors/aws/<service>.py)
TYPED_CLIENTS = ROOT / "integrations" / "vendors" / "aws"
SERVICES = set(botocore.session.get_session().get_available_services())


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _loop_values(function: ast.AST) -> dict[str, list[str]]:
    """Names bound by `for name in ("a", "b")` inside a function: name → the constants."""
    values: dict[str, list[str]] = {}
    for node in ast.walk(function):
        if (
            isinstance(node, ast.For)
            and isinstance(node.target, ast.Name)
            and isinstance(node.iter, ast.Tuple | ast.List)
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.iter.elts)
        ):
            values[node.target.id] = [e.value for e in node.iter.elts]  # type: ignore[union-attr]
    return values


def _strings(arg: ast.expr, module: Any, loops: dict[str, list[str]]) -> list[str] | None:
    """The string values an argument can take, or None when the source does not say."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [arg.value]
    if isinstance(arg, ast.Name):
        if arg.id in loops:
            return loops[arg.id]
        value = getattr(module, arg.id, None)
        if isinstance(value, str):
            return [value]
    return None


def aws_calls_in_code() -> tuple[set[tuple[str, str]], list[str]]:
    """(every (service, operation) the code calls, the call sites it cannot read)."""
    found: set[tuple[str, str]] = set()
    unreadable: list[str] = []
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "tests" in path.parts or "lambdas" in path.parts or path.parent == TYPED_CLIENTS:
                continue  # the typed clients are read by `typed_client_calls`
            tree = ast.parse(path.read_text())
            module = None
            functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
            for function in functions:
                loops = _loop_values(function)
                for node in ast.walk(function):
                    if not (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("call", "paginate")
                        and len(node.args) >= 2
                    ):
                        continue
                    module = module or importlib.import_module(_module_name(path))
                    services = _strings(node.args[0], module, loops)
                    receiver = ast.unparse(node.func.value)
                    if services is None and not any(word in receiver for word in ("aws", "session")):
                        continue  # some other object's `call`
                    operations = _strings(node.args[1], module, loops)
                    site = f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:80]}"
                    if services is None or operations is None or not set(services) <= SERVICES:
                        unreadable.append(site)
                        continue
                    found |= {(s, o) for s in services for o in operations}
    return found, unreadable


def typed_client_calls() -> tuple[set[tuple[str, str]], list[str]]:
    """(every (service, operation) the typed clients request, the requests the scan cannot read).

    Each `AwsService` subclass in integrations/vendors/aws/ names its `SERVICE`; its requests are
    `self._call("operation", ...)` and `self._pages("operation", ...)` with a constant operation.
    """
    found: set[tuple[str, str]] = set()
    unreadable: list[str] = []
    for path in sorted(TYPED_CLIENTS.glob("*.py")):
        if path.name in ("session.py", "service.py", "__init__.py"):
            continue
        for cls in [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.ClassDef)]:
            service = next(
                (
                    stmt.value.value
                    for stmt in cls.body
                    if isinstance(stmt, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "SERVICE" for t in stmt.targets)
                    and isinstance(stmt.value, ast.Constant)
                ),
                None,
            )
            for node in ast.walk(cls):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("_call", "_pages")
                ):
                    continue
                site = f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:80]}"
                operation = node.args[0] if node.args else None
                if (
                    not isinstance(service, str)
                    or service not in SERVICES
                    or not (isinstance(operation, ast.Constant) and isinstance(operation.value, str))
                ):
                    unreadable.append(site)
                    continue
                found.add((service, operation.value))
    return found, unreadable


def listed_operations() -> set[tuple[str, str]]:
    return {(service, operation) for service, ops in OPERATIONS.items() for operation in ops}


def test_every_aws_call_in_the_code_is_readable_and_in_the_permission_policy() -> None:
    generic, unreadable = aws_calls_in_code()
    found, typed_unreadable = typed_client_calls()
    unreadable += typed_unreadable

    # Every AWS request is built in its service's typed client (issue 14 step 1): none elsewhere.
    assert generic == set(), "AWS operations called outside integrations/vendors/aws/"

    assert unreadable == [], "AWS calls whose service or operation the scan cannot read"
    assert len(found) > 50  # the scan sees the code (chime, connect, iam, lambda, dynamodb, logs)
    missing = sorted(found - listed_operations())
    assert missing == [], f"called but not in integrations/aws_permissions.py OPERATIONS: {missing}"
    unused = sorted(listed_operations() - found)
    assert unused == [], f"allowed but called nowhere (least privilege: remove them): {unused}"


def test_each_operation_is_an_action_of_botocores_model_and_the_policy_fits_iam() -> None:
    policy = permission_policy(ACCOUNT)
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert {iam_action(service, operation) for service, operation in listed_operations()} <= actions
    assert "chime:CreateSipRule" in actions and "connect:AssociatePhoneNumberContactFlow" in actions
    assert all(statement["Effect"] == "Allow" for statement in policy["Statement"])
    # IAM's quota for a role's inline policies: 10,240 characters, whitespace not counted.
    assert len("".join(json.dumps(policy).split())) <= 10_240


#: request members of Patchbay's own objects, as the engine names them (pb-...)
SAMPLE_PARAMS: dict[str, Any] = {
    "RoleName": "pb-acme-front-desk-iam-role",
    "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "TableName": "pb-acme-front-desk-dynamodb-table",
    "FunctionName": "pb-acme-front-desk-connect-lambda",
    "Role": f"arn:aws:iam::{ACCOUNT}:role/pb-acme-front-desk-iam-role",
    "logGroupName": "/aws/ChimeVoiceConnectorSipMessages/abcdefghijklmnopqrstuv",
    "InstanceId": "11111111-2222-4333-8444-555555555555",
    "ContactFlowId": "66666666-7777-4888-9999-000000000000",
    "PhoneNumberId": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
}


def _signing_name(service: str) -> str:
    return iam_action(service, next(iter(OPERATIONS[service]))).split(":")[0]


@pytest.mark.parametrize(("service", "operation"), sorted(listed_operations()))
def test_the_sandbox_lets_the_policy_do_each_operation_on_patchbays_objects(
    service: str, operation: str
) -> None:
    policy = permission_policy(ACCOUNT)
    name = iam_action(service, operation).split(":")[1]
    members = botocore.session.get_session().get_service_model(service).operation_model(name).input_shape
    params = {k: v for k, v in SAMPLE_PARAMS.items() if members is not None and k in members.members}

    needs = authorizations(_signing_name(service), name, params, "us-east-1", ACCOUNT)

    assert needs and all(decide([policy], need) == ALLOW for need in needs), needs


def test_the_sandbox_refuses_an_operation_once_its_action_is_removed() -> None:
    policy = permission_policy(ACCOUNT)
    for statement in policy["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a != "chime:CreateSipRule"]

    needs = authorizations("chime", "CreateSipRule", {}, "us-east-1", ACCOUNT)

    assert [decide([policy], need) for need in needs] == ["implicit-deny"]
    # Patchbay's objects only: a role outside pb-* is not Patchbay's to change.
    other = authorizations("iam", "DeleteRole", {"RoleName": "payroll"}, "us-east-1", ACCOUNT)
    assert decide([permission_policy(ACCOUNT)], other[0]) == "implicit-deny"
