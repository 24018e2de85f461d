"""Phone number orders and the number inventory: order, poll, list, update, delete/restore, associate.

Lifecycle (AWS.md §7.8): CreatePhoneNumberOrder (201) starts `Processing`, the
numbers appear `AcquireInProgress`; after `phone_order_polls` GetPhoneNumberOrder
polls answered `Processing`, the next one answers `Successful` and the numbers
become `Unassigned` with the order's ProductType and Name. Associating flips
them to `Assigned`; DeletePhoneNumber puts an unassociated number in the
7-day deletion queue (`DeleteInProgress`, still listed); RestorePhoneNumber
takes it out again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.aws.chime.phone_ids import country_of, e164_from_id, is_valid_e164, phone_number_id
from sandbox.aws.chime.state import (
    AssociationName,
    OrderedNumberStatus,
    OrderStatus,
    PhoneNumber,
    PhoneNumberOrder,
    PhoneNumberStatus,
    ProductType,
    new_guid,
    now,
)
from sandbox.aws.chime.voice_connectors import BAD, NOT_FOUND, find_connector, page_of
from sandbox.aws.model_stand_in import AwsCall, require
from sandbox.aws.service_model import AwsError

if TYPE_CHECKING:
    from sandbox.aws.chime.stand_in import ChimeVoiceStandIn

RULES = [
    "CreatePhoneNumberOrder: E164PhoneNumbers non-empty, no duplicates, each a valid number [sandbox]",
    "CreatePhoneNumberOrder: numbers outside the US need ProductType SipMediaApplicationDialIn"
    " [botocore:chime-sdk-voice doc]",
    "CreatePhoneNumberOrder: a number already in the inventory is Failed in the order (order Partial/Failed)"
    " [sandbox]",
    "GetPhoneNumberOrder: Processing for `phone_order_polls` polls, then Successful [AWS.md §7.8]",
    "GetPhoneNumber/UpdatePhoneNumber/DeletePhoneNumber/RestorePhoneNumber: the id may be +1…, %2B1… or"
    " %252B1… on the wire [AWS.md §1.1]",
    "UpdatePhoneNumber: exactly one of ProductType, CallingName, Name per call"
    " [botocore:chime-sdk-voice doc]",
    "UpdatePhoneNumber: ProductType cannot change while the number is associated [INFERRED]",
    "DeletePhoneNumber: an associated number → BadRequestException [AWS.md §1.3, UNCONFIRMED]",
    "DeletePhoneNumber: a number still being acquired → BadRequestException [INFERRED]",
    "RestorePhoneNumber: only a DeleteInProgress number [botocore:chime-sdk-voice doc]",
    "ListPhoneNumbers: FilterName and FilterValue go together; the filtered connector/rule must exist"
    " (NotFoundException) [botocore:chime-sdk-voice errors]",
    "AssociatePhoneNumbersWithVoiceConnector: per-number errors inside a 200 PhoneNumberErrors [AWS.md §1.3]",
    "AssociatePhoneNumbersWithVoiceConnector: ProductType must be VoiceConnector (BadRequest) [AWS.md §1.3]",
    "AssociatePhoneNumbersWithVoiceConnector: a number on another connector → PhoneNumberAssociationsExist"
    " unless ForceAssociate [AWS.md §7.8]",
    "DisassociatePhoneNumbersFromVoiceConnector: a number not on that connector → per-number BadRequest"
    " [INFERRED]",
]


def find_number(chime: ChimeVoiceStandIn, raw_id: str) -> PhoneNumber:
    """The number for any accepted id spelling, or NotFoundException."""
    number = chime.state.numbers.get(e164_from_id(raw_id))
    if number is None:
        raise AwsError(NOT_FOUND, "Phone number not found.")
    return number


# -- orders ---------------------------------------------------------------------


def create_phone_number_order(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """CreatePhoneNumberOrder (201)."""
    product = call.params["ProductType"]
    numbers = [e164_from_id(n) for n in call.params["E164PhoneNumbers"]]
    require(bool(numbers), BAD, "E164PhoneNumbers must contain at least one number.")
    require(len(set(numbers)) == len(numbers), BAD, "E164PhoneNumbers contains the same number twice.")
    for index, number in enumerate(numbers, start=1):
        # phone numbers are sensitive in the model: name their position, not the number
        require(is_valid_e164(number), BAD, f"E164PhoneNumbers member {index} is not a valid phone number.")
        require(
            country_of(number) == "US" or product == ProductType.SMA_DIAL_IN,
            BAD,
            "Numbers outside the US must use the SipMediaApplicationDialIn product type.",
        )
    order = PhoneNumberOrder(id=new_guid(), product_type=product, name=call.get("Name", ""), numbers={})
    for number in numbers:
        if number in chime.state.numbers:
            order.numbers[number] = OrderedNumberStatus.FAILED
            continue
        order.numbers[number] = OrderedNumberStatus.PROCESSING
        chime.state.numbers[number] = PhoneNumber(
            e164=number,
            product_type=product,
            order_id=order.id,
            name=order.name,
            account_id=chime.sandbox.aws_account_id,
        )
    chime.state.orders[order.id] = order
    if chime.phone_order_polls <= 0:
        _complete(chime, order)
    return {"PhoneNumberOrder": order.as_shape()}


def get_phone_number_order(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """GetPhoneNumberOrder: each poll moves a Processing order closer to Successful."""
    order = chime.state.orders.get(call.params["PhoneNumberOrderId"])
    if order is None:
        raise AwsError(NOT_FOUND, f"Phone number order {call.params['PhoneNumberOrderId']} not found.")
    if order.status == OrderStatus.PROCESSING:
        order.polls += 1
        if order.polls > chime.phone_order_polls:
            _complete(chime, order)
    return {"PhoneNumberOrder": order.as_shape()}


def _complete(chime: ChimeVoiceStandIn, order: PhoneNumberOrder) -> None:
    for number, status in order.numbers.items():
        if status == OrderedNumberStatus.PROCESSING:
            order.numbers[number] = OrderedNumberStatus.ACQUIRED
            owned = chime.state.numbers[number]
            owned.status = PhoneNumberStatus.UNASSIGNED
            owned.updated = now()
    failed = sum(1 for s in order.numbers.values() if s == OrderedNumberStatus.FAILED)
    if failed == 0:
        order.status = OrderStatus.SUCCESSFUL
    elif failed == len(order.numbers):
        order.status = OrderStatus.FAILED
    else:
        order.status = OrderStatus.PARTIAL
    order.updated = now()


def list_phone_number_orders(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """ListPhoneNumberOrders (does not advance orders: only GetPhoneNumberOrder polls do)."""
    page, token = page_of([o.as_shape() for o in chime.state.orders.values()], call, 100)
    return {"PhoneNumberOrders": page, "NextToken": token}


# -- the inventory --------------------------------------------------------------


def list_phone_numbers(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """ListPhoneNumbers with the status, product-type and association filters."""
    filter_name, filter_value = call.get("FilterName"), call.get("FilterValue")
    require(
        (filter_name is None) == (filter_value is None),
        BAD,
        "FilterName and FilterValue must be specified together.",
    )
    if filter_name == AssociationName.VOICE_CONNECTOR_ID:
        find_connector(chime, filter_value)
    elif filter_name == AssociationName.SIP_RULE_ID:
        require(filter_value in chime.state.rules, NOT_FOUND, f"SIP rule {filter_value} not found.")
    elif filter_name is not None:
        raise AwsError(NOT_FOUND, f"{filter_name} {filter_value} not found.")
    selected = [
        n
        for n in chime.state.numbers.values()
        if (call.get("Status") is None or n.status == call.get("Status"))
        and (call.get("ProductType") is None or n.product_type == call.get("ProductType"))
        and (filter_name is None or n.associated_with(filter_name) == filter_value)
    ]
    page, token = page_of([n.as_shape() for n in selected], call, 100)
    return {"PhoneNumbers": page, "NextToken": token}


def get_phone_number(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """GetPhoneNumber."""
    return {"PhoneNumber": find_number(chime, call.params["PhoneNumberId"]).as_shape()}


def update_phone_number(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """UpdatePhoneNumber: one of product type, calling name or name per call."""
    number = find_number(chime, call.params["PhoneNumberId"])
    changes = {
        k: call.params[k] for k in ("ProductType", "CallingName", "Name") if call.params.get(k) is not None
    }
    require(len(changes) == 1, BAD, "Update exactly one of ProductType, CallingName or Name per request.")
    require(
        number.status in (PhoneNumberStatus.UNASSIGNED, PhoneNumberStatus.ASSIGNED),
        BAD,
        f"Phone number is {number.status} and cannot be updated.",
    )
    if "ProductType" in changes:
        require(
            not number.associations, BAD, "Disassociate the phone number before changing its product type."
        )
        require(
            country_of(number.e164) == "US" or changes["ProductType"] == ProductType.SMA_DIAL_IN,
            BAD,
            "Numbers outside the US must use the SipMediaApplicationDialIn product type.",
        )
        number.product_type = changes["ProductType"]
    number.calling_name = changes.get("CallingName", number.calling_name)
    number.name = changes.get("Name", number.name)
    number.updated = now()
    return {"PhoneNumber": number.as_shape()}


def delete_phone_number(chime: ChimeVoiceStandIn, call: AwsCall) -> None:
    """DeletePhoneNumber (204): into the deletion queue; a number already there stays there."""
    number = find_number(chime, call.params["PhoneNumberId"])
    _queue_for_deletion(number)


def _queue_for_deletion(number: PhoneNumber) -> None:
    if number.status == PhoneNumberStatus.DELETE_IN_PROGRESS:
        return
    require(
        not number.associations,
        BAD,
        "The phone number must be disassociated from Voice Connectors and SIP rules"
        " before it can be deleted.",
    )
    require(number.status == PhoneNumberStatus.UNASSIGNED, BAD, f"Phone number is {number.status}.")
    number.status = PhoneNumberStatus.DELETE_IN_PROGRESS
    number.deleted = number.updated = now()


def batch_delete_phone_number(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """BatchDeletePhoneNumber: the same rules per number, failures inside a 200."""
    errors = []
    for raw in call.params["PhoneNumberIds"]:
        try:
            _queue_for_deletion(find_number(chime, raw))
        except AwsError as err:
            errors.append(_number_error(raw, err))
    return {"PhoneNumberErrors": errors}


def restore_phone_number(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """RestorePhoneNumber: out of the deletion queue, Unassigned again."""
    number = find_number(chime, call.params["PhoneNumberId"])
    require(
        number.status == PhoneNumberStatus.DELETE_IN_PROGRESS,
        BAD,
        "Only a phone number in the deletion queue can be restored.",
    )
    number.status = PhoneNumberStatus.UNASSIGNED
    number.deleted = None
    number.updated = now()
    return {"PhoneNumber": number.as_shape()}


# -- association with a Voice Connector ----------------------------------------


def associate_with_connector(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """AssociatePhoneNumbersWithVoiceConnector: per-number errors inside a 200."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    force = bool(call.get("ForceAssociate", False))
    errors = []
    for raw in call.params["E164PhoneNumbers"]:
        number = chime.state.numbers.get(e164_from_id(raw))
        problem = _association_problem(number, connector.id, force)
        if problem:
            errors.append({"PhoneNumberId": phone_number_id(e164_from_id(raw)), **problem})
            continue
        assert number is not None
        if number.associated_with(AssociationName.VOICE_CONNECTOR_ID) != connector.id:
            stamp = now()
            number.associations = [
                {
                    "Name": AssociationName.VOICE_CONNECTOR_ID,
                    "Value": connector.id,
                    "AssociatedTimestamp": stamp,
                }
            ]
            number.status = PhoneNumberStatus.ASSIGNED
            number.updated = stamp
    return {"PhoneNumberErrors": errors}


def _association_problem(number: PhoneNumber | None, connector_id: str, force: bool) -> dict[str, str] | None:
    if number is None or number.status == PhoneNumberStatus.ACQUIRE_IN_PROGRESS:
        return {"ErrorCode": "NotFound", "ErrorMessage": "Phone number not found."}
    if number.status == PhoneNumberStatus.DELETE_IN_PROGRESS:
        return {"ErrorCode": "BadRequest", "ErrorMessage": "Phone number is in the deletion queue."}
    if number.product_type != ProductType.VOICE_CONNECTOR:
        return {
            "ErrorCode": "BadRequest",
            "ErrorMessage": f"Phone number product type is {number.product_type}; VoiceConnector"
            " is required.",
        }
    current = number.associated_with(AssociationName.VOICE_CONNECTOR_ID)
    if current not in (None, connector_id) and not force:
        return {
            "ErrorCode": "PhoneNumberAssociationsExist",
            "ErrorMessage": "Phone number is associated with another Voice Connector;"
            " use ForceAssociate to move it.",
        }
    return None


def disassociate_from_connector(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """DisassociatePhoneNumbersFromVoiceConnector: per-number errors inside a 200."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    errors = []
    for raw in call.params["E164PhoneNumbers"]:
        number = chime.state.numbers.get(e164_from_id(raw))
        if number is None:
            errors.append(_number_error(raw, AwsError(NOT_FOUND, "Phone number not found.")))
        elif number.associated_with(AssociationName.VOICE_CONNECTOR_ID) != connector.id:
            message = "Phone number is not associated with this Voice Connector."
            errors.append(_number_error(raw, AwsError(BAD, message)))
        else:
            number.associations = []
            number.status = PhoneNumberStatus.UNASSIGNED
            number.updated = now()
    return {"PhoneNumberErrors": errors}


def _number_error(raw_id: str, err: AwsError) -> dict[str, str]:
    code = {NOT_FOUND: "NotFound", BAD: "BadRequest"}.get(err.code, "BadRequest")
    return {
        "PhoneNumberId": phone_number_id(e164_from_id(raw_id)),
        "ErrorCode": code,
        "ErrorMessage": err.message,
    }
