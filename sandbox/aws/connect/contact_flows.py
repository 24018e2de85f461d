"""Contact flows of a Connect instance: create, describe, list, update content/name, delete.

The instance itself lives in moto's Connect backend; a flow of an unknown
instance is a ResourceNotFoundException. `Content` is checked by
`sandbox.aws.flow_language`; any problem answers InvalidContactFlowException
(400) with every problem in its `problems` list and in the message. Valid
content is kept as Connect keeps it, rewritten on save
(`flow_language.as_saved`, while `strict_rewrite_on_save`): what
DescribeContactFlow answers is not the text that was sent.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sandbox.aws.connect.state import ContactFlow, FlowStatus, now
from sandbox.aws.flow_language import FlowContext, as_saved, flow_problems
from sandbox.aws.model_stand_in import AwsCall, require
from sandbox.aws.service_model import AwsError, paginate

if TYPE_CHECKING:
    from sandbox.aws.connect.stand_in import ConnectStandIn

NOT_FOUND = "ResourceNotFoundException"
DUPLICATE = "DuplicateResourceException"
INVALID_PARAMETER = "InvalidParameterException"
INVALID_REQUEST = "InvalidRequestException"
#: the alias that names a flow's saved (unpublished) content (DescribeContactFlow doc)
SAVED_ALIAS = ":$SAVED"
#: ProblemDetail.message is at most 256 characters in the model
PROBLEM_MAX = 256

RULES = [
    "Every instance-scoped operation: the instance must exist in moto's Connect backend of the"
    " signing region (ResourceNotFoundException) [AWS.md §2]",
    "CreateContactFlow/UpdateContactFlowName: a name already used in the instance →"
    " DuplicateResourceException [botocore:connect errors, AWS.md §4.1]",
    "CreateContactFlow/UpdateContactFlowContent: Content must be valid flow language →"
    " InvalidContactFlowException listing every problem [AWS.md §4.1, §4.2]",
    "DescribeContactFlow: a SAVED flow without the :$SAVED suffix → ContactFlowNotPublishedException"
    " [botocore:connect doc]",
    "DeleteContactFlow: refused (InvalidRequestException) while a phone number routes to it, when"
    " strict_flow_delete_in_use [INFERRED]",
    "CreateContactFlow/UpdateContactFlowContent/UpdateContactFlowName: the content is kept rewritten as"
    " Connect saves it (compact JSON, the editor's Metadata, empty Errors/Conditions lists), while"
    " strict_rewrite_on_save [DescribeContactFlow samples, Connect flow-language example page]",
]


def instance_id_of(raw: str) -> str:
    """An instance id from an id or an instance ARN (Connect accepts both)."""
    if raw.startswith("arn:") and "instance/" in raw:
        return raw.split("instance/", 1)[1].split("/", 1)[0]
    return raw


def find_instance(connect: ConnectStandIn, region: str, raw_id: str) -> Any:
    """moto's Connect instance, or ResourceNotFoundException."""
    instance = connect.sandbox.moto_backend("connect", region).instances.get(instance_id_of(raw_id))
    if instance is None:
        raise AwsError(NOT_FOUND, f"Instance {instance_id_of(raw_id)} not found.")
    return instance


def find_flow(connect: ConnectStandIn, call: AwsCall) -> ContactFlow:
    """The instance's flow named by ContactFlowId (alias suffix ignored), or ResourceNotFoundException."""
    instance = find_instance(connect, call.region, call.params["InstanceId"])
    flow_id = call.params["ContactFlowId"].split(":", 1)[0].rsplit("/", 1)[-1]
    flow = connect.state.flows.get(flow_id)
    if flow is None or flow.instance_id != instance.id or flow.region != call.region:
        raise AwsError(NOT_FOUND, f"Contact flow {flow_id} not found.")
    return flow


def _check_content(connect: ConnectStandIn, region: str, instance_id: str, content: str) -> None:
    context = FlowContext(
        associated_lambdas=set(connect.state.lambdas.get((region, instance_id), [])),
        accept_documented_timeout_key=connect.accept_documented_timeout_key,
        strict_action_types=connect.strict_flow_action_types,
    )
    problems = flow_problems(content, context)
    if problems:
        raise AwsError(
            "InvalidContactFlowException",
            "The flow is not valid: " + " ".join(problems),
            problems=[{"message": p[:PROBLEM_MAX]} for p in problems],
        )


def _save_content(connect: ConnectStandIn, flow: ContactFlow, content: str) -> None:
    """Keep the content as Connect does: rewritten on save (or verbatim with the option off)."""
    if not connect.strict_rewrite_on_save:
        flow.content = content
        return
    flow.content = as_saved(content, name=flow.name, description=flow.description or "", status=flow.status)


def _check_name_free(
    connect: ConnectStandIn, instance_id: str, region: str, name: str, own_id: str = ""
) -> None:
    for flow in connect.state.flows.values():
        if (
            flow.instance_id == instance_id
            and flow.region == region
            and flow.name == name
            and flow.id != own_id
        ):
            raise AwsError(DUPLICATE, f"A contact flow named {name} already exists in the instance.")


def create_contact_flow(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """CreateContactFlow: a new flow once the name is free and the content valid."""
    instance = find_instance(connect, call.region, call.params["InstanceId"])
    _check_name_free(connect, instance.id, call.region, call.params["Name"])
    _check_content(connect, call.region, instance.id, call.params["Content"])
    flow = ContactFlow(
        id=str(uuid.uuid4()),
        instance_id=instance.id,
        region=call.region,
        account_id=connect.sandbox.aws_account_id,
        name=call.params["Name"],
        type=call.params["Type"],
        content=call.params["Content"],
        status=call.get("Status", FlowStatus.PUBLISHED),
        description=call.get("Description"),
        tags=call.get("Tags"),
    )
    _save_content(connect, flow, call.params["Content"])
    connect.state.flows[flow.id] = flow
    return {"ContactFlowId": flow.id, "ContactFlowArn": flow.arn, "FlowContentSha256": flow.sha256}


def describe_contact_flow(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """DescribeContactFlow; a SAVED flow is described only through its :$SAVED alias."""
    flow = find_flow(connect, call)
    if flow.status == FlowStatus.SAVED and not call.params["ContactFlowId"].endswith(SAVED_ALIAS):
        raise AwsError("ContactFlowNotPublishedException", "The flow has not been published.")
    return {"ContactFlow": flow.as_shape()}


def list_contact_flows(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """ListContactFlows, optionally of some types only."""
    instance = find_instance(connect, call.region, call.params["InstanceId"])
    types = call.get("ContactFlowTypes")
    flows = [
        f.as_summary()
        for f in connect.state.flows.values()
        if f.instance_id == instance.id and f.region == call.region and (not types or f.type in types)
    ]
    try:
        page, token = paginate(flows, call.get("MaxResults"), call.get("NextToken"), 100)
    except ValueError as exc:
        raise AwsError(INVALID_PARAMETER, "Invalid NextToken.") from exc
    return {"ContactFlowSummaryList": page, "NextToken": token}


def update_contact_flow_content(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """UpdateContactFlowContent: the content is checked as on create."""
    flow = find_flow(connect, call)
    _check_content(connect, call.region, flow.instance_id, call.params["Content"])
    _save_content(connect, flow, call.params["Content"])
    flow.modified = now()
    return {}


def update_contact_flow_name(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """UpdateContactFlowName: name and/or description."""
    flow = find_flow(connect, call)
    if call.get("Name") is not None:
        _check_name_free(connect, flow.instance_id, flow.region, call.params["Name"], own_id=flow.id)
        flow.name = call.params["Name"]
    flow.description = call.get("Description", flow.description)
    _save_content(connect, flow, flow.content)  # the editor's Metadata names the flow
    flow.modified = now()
    return {}


def update_contact_flow_metadata(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """UpdateContactFlowMetadata: name, description and state (ACTIVE/ARCHIVED)."""
    update_contact_flow_name(connect, call)
    flow = find_flow(connect, call)
    flow.state = call.get("ContactFlowState", flow.state)
    return {}


def delete_contact_flow(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """DeleteContactFlow."""
    flow = find_flow(connect, call)
    routed = [n for n in connect.state.numbers.values() if n.flow_id == flow.id]
    require(
        not (routed and connect.strict_flow_delete_in_use),
        INVALID_REQUEST,
        "The contact flow is associated with a phone number; disassociate it first.",
    )
    for number in routed:
        number.flow_id = None
    del connect.state.flows[flow.id]
    return {}
