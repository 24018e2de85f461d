"""`python -m sandbox --describe`: how much of each vendor the sandbox serves and checks.

Each stand-in reports `operations()` and `validation_rules()` (optional
methods of `VendorStandIn`); moto's services count the botocore operations
whose snake_case name moto's response class implements (an approximation:
moto has no list of its own); the core's own rules (STS trust policy, the
simulated call's CallAndBridge checks) are listed in `CORE_RULES`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from botocore import xform_name

from sandbox.aws.identity_policy import RULES as IDENTITY_POLICY_RULES
from sandbox.aws.operation_names import service_model
from sandbox.core.call_rules import CALL_RULES
from sandbox.core.registry import MOTO_SERVICES, Sandbox

#: moto service → its response class (moto 5.2.5)
_MOTO_RESPONSES = {
    "iam": ("moto.iam.responses", "IamResponse"),
    "sts": ("moto.sts.responses", "TokenResponse"),
    "dynamodb": ("moto.dynamodb.responses", "DynamoHandler"),
    "lambda": ("moto.awslambda.responses", "LambdaResponse"),
    "logs": ("moto.logs.responses", "LogsResponse"),
}

CORE_RULES: list[str] = [
    "sts AssumeRole: a trust-policy condition on sts:ExternalId (StringEquals/StringLike/..., IfExists, "
    "Null) must hold, else 403 AccessDenied (AWS IAM: confused-deputy external id; DESIGN §3)",
    "sts AssumeRole: a role that does not exist → 403 AccessDenied, as AWS answers (not NoSuchEntity)",
    "sts AssumeRole: a trust policy with no Allow statement for sts:AssumeRole, or a matching Deny "
    "→ 403 AccessDenied",
]


@dataclass
class VendorCounts:
    """What one served piece of the sandbox offers."""

    name: str
    vendor: str
    operations: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def _moto_operations(service: str) -> list[str]:
    module, cls_name = _MOTO_RESPONSES[service]
    responses = getattr(importlib.import_module(module), cls_name)
    model = service_model(service)
    names = model.operations if model else frozenset()
    return sorted(op for op in names if hasattr(responses, xform_name(op)))


def collect(sandbox: Sandbox | None = None) -> list[VendorCounts]:
    """Counts for every served stand-in, every moto service and the core."""
    sandbox = sandbox or Sandbox()
    rows = [
        VendorCounts(name, stand_in.vendor, list(stand_in.operations()), list(stand_in.validation_rules()))
        for name, stand_in in sandbox.stand_ins.items()
    ]
    rows += [VendorCounts(f"moto:{service}", "aws", _moto_operations(service)) for service in MOTO_SERVICES]
    rows.append(VendorCounts("core", "aws", [], [*CORE_RULES, *IDENTITY_POLICY_RULES, *CALL_RULES]))
    return rows


def describe(sandbox: Sandbox | None = None, *, full: bool = False) -> str:
    """A table of operations served and validation rules enforced, per stand-in (rules listed if `full`)."""
    sandbox = sandbox or Sandbox()
    rows = collect(sandbox)
    lines = [f"{'served':<16}{'vendor':<11}{'operations':>11}{'rules':>8}"]
    lines += [f"{r.name:<16}{r.vendor:<11}{len(r.operations):>11}{len(r.rules):>8}" for r in rows]
    total_ops = sum(len(r.operations) for r in rows)
    total_rules = sum(len(r.rules) for r in rows)
    lines.append(f"{'total':<27}{total_ops:>11}{total_rules:>8}")
    for name, reason in sandbox.absent.items():
        lines.append(f"not served: {name} ({reason})")
    if full:
        for row in rows:
            lines.append(f"\n## {row.name}")
            lines += [f"operation: {op}" for op in row.operations]
            lines += [f"rule: {rule}" for rule in row.rules]
    return "\n".join(lines)
