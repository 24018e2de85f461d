"""`POST /_sandbox/accounts {"vendor": "aws"}`: a ready AWS account for Patchbay to configure.

It holds what a customer would already have before connecting Patchbay: an
Amazon Connect instance (moto's) with one claimed phone number (seed guide 001
lists "a Connect instance with a claimed phone number" as a prerequisite) and,
when the body carries `external_id`, the cross-account role Patchbay assumes,
trusting the sandbox account only with that external id (the SaaS pattern of
DESIGN §3, which the sandbox's STS enforces). That role gets exactly the
`permission_policy` of the body, as its one inline policy, and nothing else:
the sandbox refuses what it does not allow (`sandbox.aws.identity_policy`).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from sandbox.aws.moto_bridge import GLOBAL_REGION

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox

ROLE_PREFIX = "patchbay-access-"
#: the name of the role's one inline policy: the permission policy the body gave
PERMISSION_POLICY_NAME = "patchbay-permissions"
#: IAM quota: a role's inline policies total at most 10,240 characters, whitespace not counted
MAX_INLINE_POLICY_CHARS = 10_240
DEFAULT_REGION = "us-east-1"
#: the Connect numbers claimed for new instances: +1 312 555 7001, 7002, ... (valid NANP numbers)
CONNECT_NUMBER_BASE = 13125557000
# STS's own limits on ExternalId (botocore sts model: min 2, max 1224, [\w+=,.@:\/-]*).
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")


class AccountSpecError(ValueError):
    """An account request the control API refuses (400)."""


def _next_role_name(sandbox: Sandbox) -> str:
    taken = {role.name for role in sandbox.moto_backend("iam", GLOBAL_REGION).roles.values()}
    n = 1
    while f"{ROLE_PREFIX}{n}" in taken:
        n += 1
    return f"{ROLE_PREFIX}{n}"


def trust_policy_requiring(account_id: str, external_id: str) -> str:
    """A trust policy letting the account assume the role only with `external_id`."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
                }
            ],
        }
    )


def _permission_policy(params: dict[str, Any]) -> str:
    """The body's `permission_policy` as IAM policy JSON; required with `external_id`."""
    policy = params.get("permission_policy")
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    if not isinstance(statements, list) or not statements or not all(isinstance(s, dict) for s in statements):
        raise AccountSpecError(
            '\'permission_policy\' must be an IAM policy document ({"Version", "Statement": [...]}): the'
            " access role gets exactly that policy (Patchbay shows it on the provider account page)"
        )
    text = json.dumps(policy)
    if len("".join(text.split())) > MAX_INLINE_POLICY_CHARS:
        raise AccountSpecError(
            f"'permission_policy' is longer than IAM's {MAX_INLINE_POLICY_CHARS} characters for a role's"
            " inline policies"
        )
    # moto's own PutRolePolicy check (grammar of a policy document), before anything is created.
    from moto.iam.exceptions import MalformedPolicyDocument
    from moto.iam.policy_validation import IAMPolicyDocumentValidator

    try:
        IAMPolicyDocumentValidator(text).validate()
    except MalformedPolicyDocument as refused:
        raise AccountSpecError(f"'permission_policy' is refused by IAM: {refused.message}") from None
    return text


def _claim_connect_number(sandbox: Sandbox, region: str, instance_id: str) -> str:
    connect = sandbox.stand_in("connect")
    taken = {n.e164 for n in connect.state.numbers.values()}
    n = 1
    while f"+{CONNECT_NUMBER_BASE + n}" in taken:
        n += 1
    e164 = f"+{CONNECT_NUMBER_BASE + n}"
    return str(connect.claim_phone_number(instance_id, e164, region)["phone_number"])


def create_aws_account(sandbox: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    """Create a Connect instance with a claimed number (and optionally the access role); describe them."""
    region = params.get("region", DEFAULT_REGION)
    if not isinstance(region, str) or not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region):
        raise AccountSpecError(f"'region' must be an AWS region name such as us-east-1, got {region!r}")
    external_id = params.get("external_id")
    if external_id is not None and (not isinstance(external_id, str) or not _EXTERNAL_ID.match(external_id)):
        raise AccountSpecError("'external_id' must be 2-1224 characters of letters, digits and +=,.@:/-_")
    policy = _permission_policy(params) if external_id is not None else None
    connect = sandbox.moto_backend("connect", region)
    alias = params.get("instance_alias") or f"patchbay-sandbox-{len(connect.instances) + 1}"
    instance = connect.create_instance(
        identity_management_type="CONNECT_MANAGED",
        inbound_calls_enabled=True,
        outbound_calls_enabled=True,
        instance_alias=alias,
    )
    account: dict[str, Any] = {
        "account_id": sandbox.aws_account_id,
        "connect_instance_id": instance["Id"],
        "connect_instance_arn": instance["Arn"],
        "region": region,
    }
    if sandbox.has_stand_in("connect"):
        account["connect_phone_number"] = _claim_connect_number(sandbox, region, instance["Id"])
    if external_id is not None and policy is not None:
        iam = sandbox.moto_backend("iam", GLOBAL_REGION)
        role = iam.create_role(
            role_name=_next_role_name(sandbox),
            assume_role_policy_document=trust_policy_requiring(sandbox.aws_account_id, external_id),
            path="/",
            permissions_boundary=None,
            description="Lets Patchbay manage the integration resources (sandbox)",
            tags=[],
            max_session_duration=None,
        )
        iam.put_role_policy(role.name, PERMISSION_POLICY_NAME, policy)
        account["role_arn"] = role.arn
        account["external_id"] = external_id
    return account
