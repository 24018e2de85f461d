"""Evaluate an assumed role's identity-based policies for one AWS request, as IAM does.

AWS refuses a request when no identity-based policy of the caller allows the
action on the resource, or one denies it (IAM User Guide, "Policy evaluation
logic": an explicit Deny wins, then an Allow, else the implicit deny), with
`AccessDenied` and a message naming the caller, the action and the resource
("Troubleshoot access denied error messages").

moto authorizes nothing by default. Its own IAM authorization
(`INITIAL_NO_AUTH_ACTION_COUNT`, `set_initial_no_auth_action_count`;
moto/core/authorization.py, moto/iam/access_control.py in moto 5.2.5) cannot
stand in here: it is switched for the whole process, so it also refuses the
plain `testing` keys tests use; it checks every non-S3 request against the
resource `*`, so a statement scoped to `pb-*` names never allows anything; and
a Condition without request values counts as a Deny. So the sandbox evaluates
the policies itself, for every AWS request signed with an assumed-role session
of moto's STS (how Patchbay calls AWS), whether moto or a stand-in serves it.
Requests signed with other keys stay unrestricted, like the account's root.

Evaluated: Effect; Action/NotAction (`*`, `?`, case-insensitive);
Resource/NotResource (`*`, `?`, case-sensitive); Condition with the String
and Arn operators (Equals, NotEquals, Like, NotLike, their IfExists forms) on
the context keys the sandbox supplies (`sandbox.aws.request_authorizations`).
Any other operator or key counts as not met, the stricter reading. Policies
read: the role's inline policies and its attached managed policies (moto's
IAM). Not evaluated: permissions boundaries, session policies, SCPs and
resource-based policies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.aws.trust_policy import parse_policy

ALLOW, DENY, IMPLICIT_DENY = "allow", "deny", "implicit-deny"

#: every String*/Arn* operator the sandbox evaluates (without the IfExists suffix)
_OPERATORS = {
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "ArnEquals",
    "ArnNotEquals",
    "ArnLike",
    "ArnNotLike",
}

RULES = [
    "Every AWS request signed with an assumed-role session: each action it needs (the operation's IAM"
    " action, plus dependent ones such as iam:PassRole) must be allowed by the role's inline or attached"
    " policies on the request's resource and not denied → else AccessDenied naming the caller, action and"
    " resource [IAM User Guide: policy evaluation logic; troubleshoot access denied messages]",
]


@dataclass(frozen=True)
class Authorization:
    """One thing a request needs: an action on a resource, with the request's condition keys."""

    action: str
    resource: str
    context: dict[str, str] = field(default_factory=dict)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, value: str, *, ignore_case: bool) -> bool:
    """IAM's `*` (any run of characters) and `?` (one character); nothing else is special."""
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def _matches(statement: dict[str, Any], key: str, value: str, *, ignore_case: bool) -> bool:
    """Whether `Key` (or its `NotKey` form) covers the value; a statement with neither covers nothing."""
    if key in statement:
        return any(_wildcard(str(p), value, ignore_case=ignore_case) for p in _as_list(statement[key]))
    if f"Not{key}" in statement:
        patterns = _as_list(statement[f"Not{key}"])
        return not any(_wildcard(str(p), value, ignore_case=ignore_case) for p in patterns)
    return False


def _condition_met(operator: str, key: str, expected: list[Any], context: dict[str, str]) -> bool:
    base = operator.removesuffix("IfExists")
    if base not in _OPERATORS:
        return False  # an operator the sandbox does not evaluate: not met (stricter)
    actual = next((v for k, v in context.items() if k.lower() == key.lower()), None)
    if actual is None:
        # A missing key fails every operator but the IfExists forms (IAM: condition keys that are absent).
        return operator.endswith("IfExists")
    like = base.endswith("Like")
    hit = any(_wildcard(str(e), actual, ignore_case=False) if like else actual == str(e) for e in expected)
    return not hit if "Not" in base else hit


def _conditions_met(statement: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, block in (statement.get("Condition") or {}).items():
        if not isinstance(block, dict):
            return False
        for key, expected in block.items():
            if not _condition_met(str(operator), str(key), _as_list(expected), context):
                return False
    return True


def decide(documents: list[dict[str, Any]], need: Authorization) -> str:
    """ALLOW, DENY (an explicit Deny matched) or IMPLICIT_DENY (nothing allows it)."""
    allowed = False
    for document in documents:
        for statement in _as_list(document.get("Statement")):
            if not isinstance(statement, dict):
                continue
            if not _matches(statement, "Action", need.action, ignore_case=True):
                continue
            if not _matches(statement, "Resource", need.resource, ignore_case=False):
                continue
            if not _conditions_met(statement, need.context):
                continue
            if statement.get("Effect") == "Deny":
                return DENY
            if statement.get("Effect") == "Allow":
                allowed = True
    return ALLOW if allowed else IMPLICIT_DENY


def access_denied_message(caller_arn: str, need: Authorization, outcome: str) -> str:
    """AWS's AccessDenied message (IAM User Guide, "Troubleshoot access denied error messages")."""
    head = f"User: {caller_arn} is not authorized to perform: {need.action} on resource: {need.resource}"
    if outcome == DENY:
        return f"{head} with an explicit deny in an identity-based policy"
    return f"{head} because no identity-based policy allows the {need.action} action"


def role_policies(iam_backend: Any, role_name: str) -> list[dict[str, Any]] | None:
    """The role's inline and attached managed policy documents, or None when the role is gone."""
    role = next((r for r in iam_backend.roles.values() if r.name == role_name), None)
    if role is None:
        return None
    documents = [parse_policy(text) for text in role.policies.values()]
    for policy in role.managed_policies.values():
        default = next((v for v in policy.versions if v.is_default), None)
        if default is not None and default.document:
            documents.append(parse_policy(default.document))
    return documents
