"""`aws.iam_role`: the role Patchbay's Lambdas run as (trust, managed policies, one inline policy)."""

from __future__ import annotations

import contextlib
from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.adoption import converge
from integrations.vendors.aws.iam import Iam
from integrations.vendors.errors import Conflict

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

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the role, its attached policies and its inline policy."""
        iam = Iam(ctx.clients.aws)
        name = self._name(ctx)
        role = iam.role(name)
        if role is None:
            return Observation(exists=False)
        observed = {
            "service_principal": _trusted_principal(role.trust_policy),
            "managed_policy_arns": sorted(iam.attached_policy_arns(name)),
            "inline_policy": iam.inline_policy(name, INLINE_POLICY_NAME),
        }
        diff = spec_diff(self._desired(ctx), observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={"arn": role.arn, "name": role.name},
            external_id=role.name,
        )

    def create(self, ctx: NodeContext) -> str:
        """Create the role (or adopt one of the same name), then attach its policies."""
        name = ctx.external_name
        # EntityAlreadyExists (Conflict): a role of our deterministic name is ours; adopt it.
        with contextlib.suppress(Conflict):
            Iam(ctx.clients.aws).create_role(
                name,
                trust_policy(ctx.spec["service_principal"]),
                description="Patchbay: runs the integration's Lambda functions",
            )
        return converge(self, ctx, name)

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Bring trust, managed attachments and the inline policy in line with the spec."""
        iam = Iam(ctx.clients.aws)
        name = self._name(ctx)
        if "service_principal" in diff:
            iam.update_trust_policy(name, trust_policy(ctx.spec["service_principal"]))
        if "managed_policy_arns" in diff:
            have, want = diff["managed_policy_arns"]
            for arn in sorted(set(want or []) - set(have or [])):
                iam.attach_policy(name, arn)
            for arn in sorted(set(have or []) - set(want or [])):
                iam.detach_policy(name, arn)  # detached meanwhile is fine
        if "inline_policy" in diff:
            document = ctx.spec.get("inline_policy")
            if document:
                iam.put_inline_policy(name, INLINE_POLICY_NAME, document)
            else:
                iam.delete_inline_policy(name, INLINE_POLICY_NAME)

    def delete(self, ctx: NodeContext) -> None:
        """Delete the role with its policies (Iam.delete_role); already gone is done."""
        Iam(ctx.clients.aws).delete_role(self._name(ctx))
