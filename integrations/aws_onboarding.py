"""AWS onboarding in the order AWS users expect (issue 11, item 6).

Before asking for a role ARN, the "New AWS account" page shows the external id
Patchbay will use, the role's trust policy and its least-privilege permission
policy (`aws_permissions.py`), and offers a CloudFormation template that creates
the role with both. The external id is generated when the page is shown and
travels with the form, signed, so the account saved is the one the role trusts.

The template (JSON, which CloudFormation reads as it reads YAML) has one
`AWS::IAM::Role` with the trust policy as `AssumeRolePolicyDocument` and the
permission policy inline (`Policies`), its resource ARNs in the stack's own
account (`Fn::Sub` of `${AWS::AccountId}`), and the role's ARN as an output to
paste into Patchbay. `integrations/tests/test_aws_onboarding.py` runs cfn-lint on it.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import signing

from integrations.aws_permissions import permission_policy
from integrations.choices import AccountKind
from integrations.models.accounts import ProviderAccount, generate_external_id

#: the stack's own account in a `Fn::Sub` string
STACK_ACCOUNT = "${AWS::AccountId}"
#: the inline policy's name on the role (as the sandbox names the one it attaches)
POLICY_NAME = "patchbay-permissions"
DEFAULT_ROLE_NAME = "patchbay-access"
_SALT = "patchbay.aws-onboarding.external-id"
#: STS's ExternalId characters (botocore sts model); ours are hex
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,64}$")


def new_external_id_token() -> tuple[str, str]:
    """(external id, signed token carrying it) for a "New AWS account" page."""
    external_id = generate_external_id()
    return external_id, signing.dumps(external_id, salt=_SALT)


def external_id_from_token(token: str) -> str | None:
    """The external id a page was shown with, or None when the token is not one of ours."""
    try:
        value = signing.loads(token or "", salt=_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) and _EXTERNAL_ID.match(value) else None


def policies_for(external_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(trust policy, permission policy) of the role, before the account or its role ARN exists."""
    unsaved = ProviderAccount(kind=AccountKind.AWS, external_id=external_id, settings={})
    return unsaved.trust_policy() or {}, unsaved.permission_policy() or {}


def _in_stack_account(value: Any) -> Any:
    """Resource strings naming the stack's account become `Fn::Sub`s; everything else is kept."""
    if isinstance(value, str) and STACK_ACCOUNT in value:
        return {"Fn::Sub": value}
    if isinstance(value, list):
        return [_in_stack_account(item) for item in value]
    if isinstance(value, dict):
        return {key: _in_stack_account(item) for key, item in value.items()}
    return value


def cloudformation_template(external_id: str) -> dict[str, Any]:
    """A CloudFormation template creating the role Patchbay assumes, with both policies."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": (
            "The IAM role Patchbay assumes in this account: trusted only with Patchbay's external id, "
            "allowed only the operations Patchbay calls."
        ),
        "Parameters": {
            "RoleName": {
                "Type": "String",
                "Default": DEFAULT_ROLE_NAME,
                "AllowedPattern": r"[\w+=,.@-]{1,64}",
                "Description": "Name of the role to create.",
            },
            "ExternalId": {
                "Type": "String",
                "Default": external_id,
                "AllowedPattern": r"[\w+=,.@:/-]{2,1224}",
                "Description": "The external id Patchbay shows for this account; keep it as it is.",
            },
        },
        "Resources": {
            "PatchbayRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": {"Ref": "RoleName"},
                    "Description": "Assumed by Patchbay to provision its integrations.",
                    "MaxSessionDuration": 3600,
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"AWS": f"arn:aws:iam::{settings.PATCHBAY_AWS_ACCOUNT_ID}:root"},
                                "Action": "sts:AssumeRole",
                                "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}},
                            }
                        ],
                    },
                    "Policies": [
                        {
                            "PolicyName": POLICY_NAME,
                            "PolicyDocument": _in_stack_account(permission_policy(STACK_ACCOUNT)),
                        }
                    ],
                },
            }
        },
        "Outputs": {
            "RoleArn": {
                "Description": "Paste this into Patchbay as the role ARN.",
                "Value": {"Fn::GetAtt": ["PatchbayRole", "Arn"]},
            }
        },
    }
