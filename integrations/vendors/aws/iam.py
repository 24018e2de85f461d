"""IAM: the role Patchbay's Lambdas run as, and its policies (AWS.md; botocore `iam` 2010-05-08).

boto3 URL-decodes and parses IAM's policy documents into dicts (botocore's `json_decode_policies`
handler), so the documents read here are dicts; the ones sent are JSON text, as IAM takes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from integrations.vendors.aws.service import AwsService
from integrations.vendors.errors import NotFound


@dataclass(frozen=True)
class Role:
    """What Patchbay reads of a role."""

    name: str
    arn: str
    #: the assume-role (trust) policy, parsed
    trust_policy: dict[str, Any] = field(default_factory=dict)


class Iam(AwsService):
    SERVICE = "iam"
    # botocore's iam model (service-2.json): a missing role or policy is NoSuchEntity (404);
    # CreateRole on a taken name is EntityAlreadyExists (409), DeleteRole of a role that still has
    # policies is DeleteConflict (409). (IAM's query protocol sends these short codes, not the
    # shapes' names NoSuchEntityException...; its other 409s are Conflict by their status.)
    NOT_FOUND = frozenset({"NoSuchEntity"})
    CONFLICT = frozenset({"EntityAlreadyExists", "DeleteConflict"})
    # IAM's listings take Marker and answer Marker (with IsTruncated).
    TOKEN_IN = "Marker"
    TOKEN_OUT = "Marker"

    def role(self, name: str) -> Role | None:
        """The role, or None when there is none of that name."""
        try:
            role = self._call("get_role", RoleName=name)["Role"]
        except NotFound:
            return None
        return Role(
            name=str(role["RoleName"]),
            arn=str(role["Arn"]),
            trust_policy=role.get("AssumeRolePolicyDocument") or {},
        )

    def create_role(self, name: str, trust_policy: dict[str, Any], description: str) -> None:
        """A role trusting as `trust_policy` says (single attempt: a create); Conflict when it exists."""
        self._call(
            "create_role",
            create=True,
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(trust_policy),
            Description=description,
        )

    def update_trust_policy(self, name: str, trust_policy: dict[str, Any]) -> None:
        self._call("update_assume_role_policy", RoleName=name, PolicyDocument=json.dumps(trust_policy))

    def attached_policy_arns(self, name: str) -> list[str]:
        """The ARNs of the managed policies attached to the role; NotFound when there is no role."""
        attached = self._pages("list_attached_role_policies", "AttachedPolicies", RoleName=name)
        return [str(policy["PolicyArn"]) for policy in attached]

    def attach_policy(self, name: str, policy_arn: str) -> None:
        self._call("attach_role_policy", RoleName=name, PolicyArn=policy_arn)

    def detach_policy(self, name: str, policy_arn: str) -> bool:
        """Detach a managed policy; False when it was not attached (or the role is gone)."""
        try:
            self._call("detach_role_policy", RoleName=name, PolicyArn=policy_arn)
        except NotFound:
            return False
        return True

    def inline_policy_names(self, name: str) -> list[str]:
        """The names of the role's inline policies; NotFound when there is no role."""
        return [str(n) for n in self._pages("list_role_policies", "PolicyNames", RoleName=name)]

    def inline_policy(self, name: str, policy_name: str) -> dict[str, Any] | None:
        """An inline policy's document, or None when the role has none of that name (or is gone)."""
        try:
            answer = self._call("get_role_policy", RoleName=name, PolicyName=policy_name)
        except NotFound:
            return None
        document: dict[str, Any] = answer["PolicyDocument"]
        return document

    def put_inline_policy(self, name: str, policy_name: str, document: dict[str, Any]) -> None:
        """Create or replace an inline policy."""
        self._call(
            "put_role_policy", RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document)
        )

    def delete_inline_policy(self, name: str, policy_name: str) -> bool:
        """Delete an inline policy; False when it was already gone."""
        try:
            self._call("delete_role_policy", RoleName=name, PolicyName=policy_name)
        except NotFound:
            return False
        return True

    def delete_role(self, name: str) -> bool:
        """Detach its managed policies, delete its inline ones, then the role; False when it was gone.

        IAM refuses DeleteRole while the role has policies (DeleteConflict, IAM User Guide "Deleting
        roles"), so they go first; each one already gone meanwhile is fine.
        """
        try:
            for policy_arn in self.attached_policy_arns(name):
                self.detach_policy(name, policy_arn)
            for policy_name in self.inline_policy_names(name):
                self.delete_inline_policy(name, policy_name)
            self._call("delete_role", RoleName=name)
        except NotFound:
            return False
        return True
