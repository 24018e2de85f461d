"""`POST /_sandbox/accounts {"vendor": "aws"}`: a ready AWS account for Patchbay to configure.

It holds what a customer would already have before connecting Patchbay: an
Amazon Connect instance (moto's) and, when the body carries `external_id`, the
cross-account role Patchbay assumes, trusting the sandbox account only with
that external id (the SaaS pattern of DESIGN §3, which the sandbox's STS
enforces).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from sandbox.aws.moto_bridge import GLOBAL_REGION

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox

ROLE_PREFIX = "patchbay-access-"
ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
DEFAULT_REGION = "us-east-1"
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


def create_aws_account(sandbox: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    """Create a Connect instance (and optionally the access role) and describe them."""
    region = params.get("region", DEFAULT_REGION)
    if not isinstance(region, str) or not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region):
        raise AccountSpecError(f"'region' must be an AWS region name such as us-east-1, got {region!r}")
    external_id = params.get("external_id")
    if external_id is not None and (not isinstance(external_id, str) or not _EXTERNAL_ID.match(external_id)):
        raise AccountSpecError("'external_id' must be 2-1224 characters of letters, digits and +=,.@:/-_")
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
    if external_id is not None:
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
        iam.attach_role_policy(ADMIN_POLICY_ARN, role.name)
        account["role_arn"] = role.arn
        account["external_id"] = external_id
    return account
