"""Amazon Connect: instances, contact flows, Lambda associations and claimed numbers (AWS.md §4;
botocore `connect` 2017-08-08).

A listing inside an instance raises NotFound when the instance does not exist (ResourceNotFoundException
on InstanceId): the callers tell "no such instance" from "an empty list" when they need to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from integrations.vendors.aws.service import AwsService
from integrations.vendors.errors import NotFound

#: ListFlowAssociations' ResourceType for a phone number routed to a flow
VOICE_PHONE_NUMBER = "VOICE_PHONE_NUMBER"


@dataclass(frozen=True)
class Instance:
    """One Connect instance of the account (ListInstances' summary)."""

    id: str
    alias: str
    status: str  # CREATION_IN_PROGRESS | ACTIVE | CREATION_FAILED


@dataclass(frozen=True)
class ContactFlow:
    """What Patchbay reads of a flow (DescribeContactFlow). `content` is Connect's JSON text."""

    id: str
    arn: str
    type: str | None
    state: str | None  # ACTIVE | ARCHIVED
    description: str
    content: str

    @property
    def archived(self) -> bool:
        """Connect's idea of a deleted flow (it keeps its name taken)."""
        return self.state == "ARCHIVED"


@dataclass(frozen=True)
class PhoneNumber:
    """A number claimed in Connect (ListPhoneNumbersV2 / DescribePhoneNumber's summaries)."""

    arn: str
    number: str  # E.164
    type: str  # TOLL_FREE | DID | ...


@dataclass(frozen=True)
class FlowAssociation:
    """A resource (by ARN or id) routed to a flow (ListFlowAssociations); `flow_id` may be an ARN."""

    resource_id: str
    flow_id: str


def _phone_number(summary: dict[str, Any]) -> PhoneNumber:
    return PhoneNumber(
        arn=str(summary.get("PhoneNumberArn") or ""),
        number=str(summary.get("PhoneNumber") or ""),
        type=str(summary.get("PhoneNumberType") or ""),
    )


class Connect(AwsService):
    SERVICE = "connect"
    # botocore's connect model (service-2.json): a missing instance, flow, function association or
    # number is ResourceNotFoundException (404); CreateContactFlow / UpdateContactFlowMetadata on a
    # taken name raise DuplicateResourceException (409), AssociateLambdaFunction of an associated
    # function ResourceConflictException (409).
    NOT_FOUND = frozenset({"ResourceNotFoundException"})
    CONFLICT = frozenset({"DuplicateResourceException", "ResourceConflictException"})
    TOKEN_IN = "NextToken"
    TOKEN_OUT = "NextToken"

    def instances(self, *, max_results: int | None = None) -> list[Instance]:
        """The account's instances in the session's region (`max_results` per page)."""
        params = {} if max_results is None else {"MaxResults": max_results}
        return [
            Instance(
                id=str(i["Id"]),
                alias=str(i.get("InstanceAlias") or ""),
                status=str(i.get("InstanceStatus") or ""),
            )
            for i in self._pages("list_instances", "InstanceSummaryList", **params)
        ]

    # --- contact flows

    def contact_flow_id(self, instance_id: str, flow_type: str, name: str) -> str | None:
        """The id of the instance's flow of that type and name, or None (no such flow, or instance)."""
        try:
            summaries = self._pages(
                "list_contact_flows",
                "ContactFlowSummaryList",
                InstanceId=instance_id,
                ContactFlowTypes=[flow_type],
            )
        except NotFound:
            return None
        return next((str(s["Id"]) for s in summaries if s.get("Name") == name), None)

    def contact_flow(self, instance_id: str, flow_id: str) -> ContactFlow | None:
        """The flow (archived ones included), or None when there is no such flow or instance."""
        try:
            flow = self._call("describe_contact_flow", InstanceId=instance_id, ContactFlowId=flow_id)
        except NotFound:
            return None
        flow = flow["ContactFlow"]
        return ContactFlow(
            id=str(flow["Id"]),
            arn=str(flow["Arn"]),
            type=flow.get("Type"),
            state=flow.get("State"),
            description=str(flow.get("Description") or ""),
            content=str(flow.get("Content") or ""),
        )

    def create_contact_flow(
        self, instance_id: str, name: str, flow_type: str, description: str, content: str
    ) -> str:
        """A published flow; its id. Single attempt (a create); Conflict when the name is taken."""
        answer = self._call(
            "create_contact_flow",
            create=True,
            InstanceId=instance_id,
            Name=name,
            Type=flow_type,
            Description=description,
            Content=content,
        )
        return str(answer["ContactFlowId"])

    def update_contact_flow_content(self, instance_id: str, flow_id: str, content: str) -> None:
        self._call(
            "update_contact_flow_content", InstanceId=instance_id, ContactFlowId=flow_id, Content=content
        )

    def update_contact_flow_description(self, instance_id: str, flow_id: str, description: str) -> None:
        self._call(
            "update_contact_flow_metadata",
            InstanceId=instance_id,
            ContactFlowId=flow_id,
            Description=description,
        )

    def delete_contact_flow(self, instance_id: str, flow_id: str) -> bool:
        """Delete the flow; False when it was already gone."""
        try:
            self._call("delete_contact_flow", InstanceId=instance_id, ContactFlowId=flow_id)
        except NotFound:
            return False
        return True

    # --- Lambda functions the instance's flows may invoke

    def lambda_functions(self, instance_id: str) -> list[str]:
        """The ARNs of the functions associated with the instance; NotFound when there is no instance."""
        arns = self._pages("list_lambda_functions", "LambdaFunctions", InstanceId=instance_id)
        return [str(arn) for arn in arns]

    def associate_lambda_function(self, instance_id: str, function_arn: str, *, create: bool = False) -> None:
        """Let the instance's flows invoke the function; Conflict when it is associated already."""
        self._call(
            "associate_lambda_function", create=create, InstanceId=instance_id, FunctionArn=function_arn
        )

    def disassociate_lambda_function(self, instance_id: str, function_arn: str) -> bool:
        """Drop the association; False when there was none (or no instance)."""
        try:
            self._call("disassociate_lambda_function", InstanceId=instance_id, FunctionArn=function_arn)
        except NotFound:
            return False
        return True

    # --- claimed phone numbers and the flows they route to

    def phone_numbers(
        self, instance_id: str, *, prefix: str | None = None, max_results: int | None = None
    ) -> list[PhoneNumber]:
        """The instance's claimed numbers (starting with `prefix`); NotFound when there is no instance."""
        params: dict[str, Any] = {"InstanceId": instance_id}
        if prefix is not None:
            params["PhoneNumberPrefix"] = prefix
        if max_results is not None:
            params["MaxResults"] = max_results
        summaries = self._pages("list_phone_numbers_v2", "ListPhoneNumbersSummaryList", **params)
        return [_phone_number(s) for s in summaries]

    def phone_number(self, number_id: str) -> PhoneNumber | None:
        """A claimed number by id or ARN, or None when it is not claimed (any more)."""
        try:
            answer = self._call("describe_phone_number", PhoneNumberId=number_id)
        except NotFound:
            return None
        return _phone_number(answer["ClaimedPhoneNumberSummary"])

    def flow_associations(self, instance_id: str, resource_type: str) -> list[FlowAssociation]:
        """The instance's resources of a type routed to flows; NotFound when there is no instance."""
        associations = self._pages(
            "list_flow_associations",
            "FlowAssociationSummaryList",
            InstanceId=instance_id,
            ResourceType=resource_type,
        )
        return [
            FlowAssociation(resource_id=str(a.get("ResourceId") or ""), flow_id=str(a.get("FlowId") or ""))
            for a in associations
        ]

    def associate_phone_number_flow(self, instance_id: str, number_id: str, flow_id: str) -> None:
        """Route the number to the flow (moving it from the flow it routed to)."""
        self._call(
            "associate_phone_number_contact_flow",
            PhoneNumberId=number_id,
            InstanceId=instance_id,
            ContactFlowId=flow_id,
        )

    def disassociate_phone_number_flow(self, instance_id: str, number_id: str) -> bool:
        """Stop routing the number to its flow; False when it was released or unrouted meanwhile."""
        try:
            self._call(
                "disassociate_phone_number_contact_flow", PhoneNumberId=number_id, InstanceId=instance_id
            )
        except NotFound:
            return False
        return True
