"""Evaluate a role's trust policy for sts:AssumeRole, which moto accepts without looking.

AWS refuses AssumeRole with AccessDenied when no statement of the role's
assume-role policy allows it — in particular when a statement requires
`sts:ExternalId` (the confused-deputy guard of the SaaS pattern, DESIGN §3) and
the caller sent none or another one. moto accepts any ExternalId (AWS.md §2),
so the sandbox evaluates the policy itself before forwarding to moto.

Evaluated: Effect, Action/NotAction against `sts:AssumeRole` (wildcards), and
conditions on `sts:ExternalId` with the String* operators, their `IfExists`
forms and `Null`. Not evaluated (a known difference): Principal, and
conditions on any other key, which count as met.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any
from urllib.parse import unquote

ASSUME_ROLE = "sts:AssumeRole"
EXTERNAL_ID_KEY = "sts:externalid"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _action_matches(statement: dict[str, Any]) -> bool:
    if "Action" in statement:
        return any(
            fnmatch.fnmatchcase(ASSUME_ROLE.lower(), str(a).lower()) for a in _as_list(statement["Action"])
        )
    if "NotAction" in statement:
        return not any(
            fnmatch.fnmatchcase(ASSUME_ROLE.lower(), str(a).lower()) for a in _as_list(statement["NotAction"])
        )
    return False


def _string_test(operator: str, actual: str, expected: list[str]) -> bool:
    """One String* operator applied to a present value (IAM's case-sensitive unless IgnoreCase)."""
    negate = "Not" in operator
    if operator.startswith(("StringLike", "StringNotLike")):
        hit = any(fnmatch.fnmatchcase(actual, str(e)) for e in expected)
    elif "IgnoreCase" in operator:
        hit = any(actual.lower() == str(e).lower() for e in expected)
    else:
        hit = any(actual == str(e) for e in expected)
    return not hit if negate else hit


def _condition_met(operator: str, expected: list[Any], external_id: str | None) -> bool:
    if operator == "Null":
        # {"Null": {"sts:ExternalId": "true"}} means "must be absent".
        wants_absent = str(expected[0]).lower() == "true" if expected else True
        return (external_id is None) == wants_absent
    if not operator.startswith("String"):
        return True  # numeric/date/ARN operators on an external id: not evaluated
    base = operator.removesuffix("IfExists")
    if external_id is None:
        # A missing key fails positive operators and satisfies negated ones, and every IfExists form.
        return operator.endswith("IfExists") or "Not" in base
    return _string_test(base, external_id, [str(e) for e in expected])


def _conditions_met(statement: dict[str, Any], external_id: str | None) -> bool:
    for operator, block in (statement.get("Condition") or {}).items():
        if not isinstance(block, dict):
            continue
        for key, expected in block.items():
            if key.lower() != EXTERNAL_ID_KEY:
                continue  # other condition keys are not evaluated (documented difference)
            if not _condition_met(operator, _as_list(expected), external_id):
                return False
    return True


def parse_policy(document: str) -> dict[str, Any]:
    """A policy document as IAM stores it (JSON, sometimes URL-encoded) as a dict."""
    try:
        return json.loads(document)
    except json.JSONDecodeError:
        return json.loads(unquote(document))


def allows_assume_role(policy: dict[str, Any], external_id: str | None) -> bool:
    """Whether the trust policy lets a caller presenting `external_id` assume the role."""
    allowed = False
    for statement in _as_list(policy.get("Statement")):
        if not isinstance(statement, dict) or not _action_matches(statement):
            continue
        if not _conditions_met(statement, external_id):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def access_denied_message(caller_arn: str, role_arn: str) -> str:
    """STS's AccessDenied message for a refused AssumeRole."""
    return f"User: {caller_arn} is not authorized to perform: {ASSUME_ROLE} on resource: {role_arn}"
