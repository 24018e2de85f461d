"""`aws.iam_role`: the role Patchbay's Lambdas run as (trust, managed policies, one inline policy)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.adoption import converge
from integrations.vendors.aws import AwsSession
from integrations.vendors.errors import Conflict, NotFound

#: the one inline policy Patchbay owns on the role
INLINE_POLICY_NAME = "patchbay"


def trust_policy(service_principal: str) -> dict[str, Any]:
    """The assume-role policy letting one AWS service principal assume the role."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service_principal},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def _trusted_principal(document: dict[str, Any]) -> str | None:
    """The service principal an assume-role policy trusts (the first allowing sts:AssumeRole)."""
    for statement in document.get("Statement") or []:
        actions = statement.get("Action")
        actions = [actions] if isinstance(actions, str) else actions or []
        if statement.get("Effect") != "Allow" or "sts:AssumeRole" not in actions:
            continue
        service = (statement.get("Principal") or {}).get("Service")
        if isinstance(service, list):
            return service[0] if len(service) == 1 else ",".join(sorted(service))
        return service
    return None


class IamRole(ResourceType):
    """An IAM role named by its external name; outputs its ARN and name."""

    type_name = "aws.iam_role"
    account_kind = "aws"
    name_max_length = 64  # IAM RoleName limit

    def _name(self, ctx: NodeContext) -> str:
        return ctx.external_id or ctx.external_name

    def _desired(self, ctx: NodeContext) -> dict[str, Any]:
        spec = dict(ctx.spec)
        spec["managed_policy_arns"] = sorted(spec.get("managed_policy_arns") or [])
        return spec

    def _observed(self, aws: AwsSession, name: str, role: dict[str, Any]) -> dict[str, Any]:
        # boto3 URL-decodes and parses IAM policy documents into dicts (botocore's json_decode_policies).
        attached = aws.paginate("iam", "list_attached_role_policies", "AttachedPolicies", RoleName=name)
        try:
            inline = aws.call("iam", "get_role_policy", RoleName=name, PolicyName=INLINE_POLICY_NAME)
            inline_document: dict[str, Any] | None = inline["PolicyDocument"]
        except NotFound:
            inline_document = None
        return {
            "service_principal": _trusted_principal(role.get("AssumeRolePolicyDocument") or {}),
            "managed_policy_arns": sorted(p["PolicyArn"] for p in attached),
            "inline_policy": inline_document,
        }

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the role, its attached policies and its inline policy."""
        aws: AwsSession = ctx.clients.aws
        name = self._name(ctx)
        try:
            role = aws.call("iam", "get_role", RoleName=name)["Role"]
        except NotFound:
            return Observation(exists=False)
        diff = spec_diff(self._desired(ctx), self._observed(aws, name, role))
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={"arn": role["Arn"], "name": role["RoleName"]},
            external_id=role["RoleName"],
        )

    def create(self, ctx: NodeContext) -> str:
        """Create the role (or adopt one of the same name), then attach its policies."""
        aws: AwsSession = ctx.clients.aws
        name = ctx.external_name
        # EntityAlreadyExists (Conflict): a role of our deterministic name is ours; adopt it.
        with contextlib.suppress(Conflict):
            aws.call(
                "iam",
                "create_role",
                create=True,
                RoleName=name,
                AssumeRolePolicyDocument=json.dumps(trust_policy(ctx.spec["service_principal"])),
                Description="Patchbay: runs the integration's Lambda functions",
            )
        return converge(self, ctx, name)

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Bring trust, managed attachments and the inline policy in line with the spec."""
        aws: AwsSession = ctx.clients.aws
        name = self._name(ctx)
        if "service_principal" in diff:
            aws.call(
                "iam",
                "update_assume_role_policy",
                RoleName=name,
                PolicyDocument=json.dumps(trust_policy(ctx.spec["service_principal"])),
            )
        if "managed_policy_arns" in diff:
            have, want = diff["managed_policy_arns"]
            for arn in sorted(set(want or []) - set(have or [])):
                aws.call("iam", "attach_role_policy", RoleName=name, PolicyArn=arn)
            for arn in sorted(set(have or []) - set(want or [])):
                with contextlib.suppress(NotFound):  # detached meanwhile
                    aws.call("iam", "detach_role_policy", RoleName=name, PolicyArn=arn)
        if "inline_policy" in diff:
            document = ctx.spec.get("inline_policy")
            if document:
                aws.call(
                    "iam",
                    "put_role_policy",
                    RoleName=name,
                    PolicyName=INLINE_POLICY_NAME,
                    PolicyDocument=json.dumps(document),
                )
            else:
                self._delete_inline(aws, name, INLINE_POLICY_NAME)

    @staticmethod
    def _delete_inline(aws: AwsSession, role: str, policy: str) -> None:
        with contextlib.suppress(NotFound):
            aws.call("iam", "delete_role_policy", RoleName=role, PolicyName=policy)

    def delete(self, ctx: NodeContext) -> None:
        """Detach managed policies and delete inline ones (IAM refuses to delete a role that has any)."""
        aws: AwsSession = ctx.clients.aws
        name = self._name(ctx)
        try:
            attached = aws.paginate("iam", "list_attached_role_policies", "AttachedPolicies", RoleName=name)
            for policy in attached:
                with contextlib.suppress(NotFound):
                    aws.call("iam", "detach_role_policy", RoleName=name, PolicyArn=policy["PolicyArn"])
            for policy_name in aws.paginate("iam", "list_role_policies", "PolicyNames", RoleName=name):
                self._delete_inline(aws, name, policy_name)
            aws.call("iam", "delete_role", RoleName=name)
        except NotFound:
            return  # the role is gone: done
