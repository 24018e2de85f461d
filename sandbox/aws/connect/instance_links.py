"""What hangs off a Connect instance besides flows: associated Lambdas and claimed phone numbers.

- AssociateLambdaFunction lets the instance's flows invoke a function; the
  function must exist in the sandbox's Lambda (moto) in the instance's region.
  Associating one that is already associated is UNCONFIRMED (AWS.md §4.1): a
  ResourceConflictException while `strict_lambda_reassociation`, else success.
- Phone numbers are claimed by an instance (ClaimPhoneNumber, or the control
  API through `ConnectStandIn.claim_phone_number`) and routed to a flow with
  AssociatePhoneNumberContactFlow.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from moto.awslambda.exceptions import UnknownFunctionException

from sandbox.aws.chime.phone_ids import country_of
from sandbox.aws.connect.contact_flows import (
    INVALID_PARAMETER,
    NOT_FOUND,
    find_instance,
    instance_id_of,
)
from sandbox.aws.connect.state import ClaimedNumber
from sandbox.aws.model_stand_in import AwsCall, require
from sandbox.aws.service_model import AwsError, paginate

if TYPE_CHECKING:
    from sandbox.aws.connect.stand_in import ConnectStandIn

_LAMBDA_ARN = re.compile(
    r"arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:[^:]+(:.+)?"
)

RULES = [
    "AssociateLambdaFunction: FunctionArn is a Lambda function ARN in the instance's region and account"
    " (InvalidParameterException) [AWS.md §4.1]",
    "AssociateLambdaFunction: the function exists in the sandbox's Lambda (ResourceNotFoundException)"
    " [sandbox]",
    "AssociateLambdaFunction: an already associated function → ResourceConflictException while"
    " strict_lambda_reassociation [AWS.md §4.1, UNCONFIRMED]",
    "DisassociateLambdaFunction: a function not associated → ResourceNotFoundException [INFERRED]",
    "ClaimPhoneNumber: TargetArn or InstanceId names an existing instance; a number claimed already →"
    " ResourceConflictException [INFERRED]",
    "AssociatePhoneNumberContactFlow: the number is claimed by that instance and the flow is a CONTACT_FLOW"
    " of it [botocore:connect doc]",
    "ListFlowAssociations: ResourceType VOICE_PHONE_NUMBER lists the instance's numbers routed by"
    " AssociatePhoneNumberContactFlow as {ResourceId: number ARN, FlowId: flow ARN} [botocore:connect"
    " model, INFERRED that these associations are listed]",
]


def _page(items: list[Any], call: AwsCall, default_max: int) -> tuple[list[Any], str | None]:
    try:
        return paginate(items, call.get("MaxResults"), call.get("NextToken"), default_max)
    except ValueError as exc:
        raise AwsError(INVALID_PARAMETER, "Invalid NextToken.") from exc


# -- Lambda functions -------------------------------------------------------------


def associate_lambda_function(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """AssociateLambdaFunction."""
    instance = find_instance(connect, call.region, call.params["InstanceId"])
    arn = call.params["FunctionArn"]
    parts = _LAMBDA_ARN.fullmatch(arn)
    require(parts is not None, INVALID_PARAMETER, "FunctionArn is not a Lambda function ARN.")
    assert parts is not None
    require(
        parts["region"] == call.region and parts["account"] == connect.sandbox.aws_account_id,
        INVALID_PARAMETER,
        "The Lambda function must be in the instance's account and region.",
    )
    try:
        connect.sandbox.moto_backend("lambda", call.region).get_function(arn)
    except UnknownFunctionException as exc:
        raise AwsError(NOT_FOUND, "The Lambda function does not exist.") from exc
    linked = connect.state.lambdas.setdefault((call.region, instance.id), [])
    if arn in linked:
        require(
            not connect.strict_lambda_reassociation,
            "ResourceConflictException",
            "The Lambda function is already associated with the instance.",
        )
        return {}
    linked.append(arn)
    return {}


def disassociate_lambda_function(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """DisassociateLambdaFunction (FunctionArn in the query string)."""
    instance = find_instance(connect, call.region, call.params["InstanceId"])
    linked = connect.state.lambdas.get((call.region, instance.id), [])
    require(
        call.params["FunctionArn"] in linked,
        NOT_FOUND,
        "The Lambda function is not associated with the instance.",
    )
    linked.remove(call.params["FunctionArn"])
    return {}


def list_lambda_functions(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """ListLambdaFunctions: the associated ARNs, 25 per page by default (MaxResult25)."""
    instance = find_instance(connect, call.region, call.params["InstanceId"])
    page, token = _page(list(connect.state.lambdas.get((call.region, instance.id), [])), call, 25)
    return {"LambdaFunctions": page, "NextToken": token}


# -- phone numbers ----------------------------------------------------------------


def claim(
    connect: ConnectStandIn, region: str, raw_instance: str, e164: str, description: str = ""
) -> ClaimedNumber:
    """Claim a number for an instance (ResourceConflictException when someone holds it already)."""
    instance = find_instance(connect, region, raw_instance)
    held = [n for n in connect.state.numbers.values() if n.e164 == e164]
    require(not held, "ResourceConflictException", "The phone number is already claimed.")
    number = ClaimedNumber(
        id=str(uuid.uuid4()),
        e164=e164,
        region=region,
        account_id=connect.sandbox.aws_account_id,
        instance_id=instance.id,
        instance_arn=instance.arn,
        country=country_of(e164),
        description=description,
    )
    connect.state.numbers[number.id] = number
    return number


def claim_phone_number(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """ClaimPhoneNumber onto an instance (TargetArn or InstanceId)."""
    target = call.get("InstanceId") or call.get("TargetArn")
    require(bool(target), INVALID_PARAMETER, "Give TargetArn or InstanceId.")
    number = claim(
        connect, call.region, target, call.params["PhoneNumber"], call.get("PhoneNumberDescription", "")
    )
    return {"PhoneNumberId": number.id, "PhoneNumberArn": number.arn}


def find_number(connect: ConnectStandIn, raw_id: str) -> ClaimedNumber:
    """The claimed number for an id or phone number ARN, or ResourceNotFoundException."""
    number = connect.state.numbers.get(raw_id.rsplit("/", 1)[-1])
    if number is None:
        raise AwsError(NOT_FOUND, "Phone number not found.")
    return number


def list_phone_numbers_v2(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """ListPhoneNumbersV2, filtered by instance, prefix, type and country."""
    target = call.get("InstanceId") or call.get("TargetArn")
    instance_id = find_instance(connect, call.region, target).id if target else None
    types, countries = call.get("PhoneNumberTypes"), call.get("PhoneNumberCountryCodes")
    prefix = call.get("PhoneNumberPrefix", "")
    selected = [
        n.as_summary()
        for n in connect.state.numbers.values()
        if n.region == call.region
        and (instance_id is None or n.instance_id == instance_id)
        and n.e164.lstrip("+").startswith(prefix.lstrip("+"))
        and (not types or n.type in types)
        and (not countries or n.country in countries)
    ]
    page, token = _page(selected, call, 100)
    return {"ListPhoneNumbersSummaryList": page, "NextToken": token}


def describe_phone_number(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """DescribePhoneNumber."""
    return {"ClaimedPhoneNumberSummary": find_number(connect, call.params["PhoneNumberId"]).as_claimed()}


def release_phone_number(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """ReleasePhoneNumber; refused while a flow is associated (ResourceInUseException is modeled)."""
    number = find_number(connect, call.params["PhoneNumberId"])
    require(number.flow_id is None, "ResourceInUseException", "Disassociate the contact flow first.")
    del connect.state.numbers[number.id]
    return {}


def associate_phone_number_contact_flow(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """AssociatePhoneNumberContactFlow: route a claimed number of the instance to one of its flows."""
    number = find_number(connect, call.params["PhoneNumberId"])
    instance = find_instance(connect, call.region, call.params["InstanceId"])
    require(number.instance_id == instance.id, NOT_FOUND, "The phone number is not claimed by this instance.")
    flow_id = call.params["ContactFlowId"].rsplit("/", 1)[-1]
    flow = connect.state.flows.get(flow_id)
    require(
        flow is not None and flow.instance_id == instance.id,
        NOT_FOUND,
        f"Contact flow {flow_id} not found.",
    )
    assert flow is not None
    require(
        flow.type == "CONTACT_FLOW",
        INVALID_PARAMETER,
        "Only a flow of type CONTACT_FLOW can be associated with a phone number.",
    )
    number.flow_id = flow.id
    return {}


def disassociate_phone_number_contact_flow(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """DisassociatePhoneNumberContactFlow (InstanceId in the query string)."""
    number = find_number(connect, call.params["PhoneNumberId"])
    require(
        number.instance_id == instance_id_of(call.params["InstanceId"]),
        NOT_FOUND,
        "The phone number is not claimed by this instance.",
    )
    number.flow_id = None
    return {}


def list_flow_associations(connect: ConnectStandIn, call: AwsCall) -> dict[str, Any]:
    """ListFlowAssociations: the instance's voice numbers routed to a flow (other types: none here)."""
    instance = find_instance(connect, call.region, call.params["InstanceId"])
    wanted = call.get("ResourceType")
    associations = [
        {
            "ResourceId": n.arn,
            "FlowId": connect.state.flows[n.flow_id].arn,
            "ResourceType": "VOICE_PHONE_NUMBER",
        }
        for n in connect.state.numbers.values()
        if n.instance_id == instance.id
        and n.flow_id in connect.state.flows
        and wanted in (None, "VOICE_PHONE_NUMBER")
    ]
    page, token = _page(associations, call, 100)
    return {"FlowAssociationSummaryList": page, "NextToken": token}
