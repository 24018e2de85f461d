"""Chime SDK Voice phone numbers: search, orders, the account's numbers and their connector associations.

The same service as `chime.py` (and its error codes), split by resource family. Besides its
HTTP errors, Chime reports per-number failures inside a 200 answer's `PhoneNumberErrors`
(AWS.md §1.3), each with an `ErrorCode` of botocore's `ErrorCode` enum (chime-sdk-voice
2022-08-03: BadRequest, Conflict, NotFound, Throttled, ServiceFailure, PhoneNumberAssociationsExist...);
`number_errors` raises them as the same domain errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from integrations.vendors.aws.chime import CHIME_CONFLICT, CHIME_NOT_FOUND
from integrations.vendors.aws.service import AwsService
from integrations.vendors.errors import (
    Conflict,
    InvalidSpec,
    NotFound,
    Throttled,
    VendorError,
    VendorUnavailable,
)

#: the association Name Chime uses for a Voice Connector (and ListPhoneNumbers' FilterName)
VOICE_CONNECTOR_ID = "VoiceConnectorId"

_CONFLICT_CODES = {"Conflict", "PhoneNumberAssociationsExist", "VoiceConnectorGroupAssociationsExist"}
_RETRYABLE = {"Throttled": Throttled, "Throttling": Throttled}
_UNAVAILABLE = {"ServiceFailure", "ServiceUnavailable"}


#: ListPhoneNumbers' largest page (botocore:chime-sdk-voice ResultMax, 1..100: more is a BadRequest)
NUMBERS_PAGE = 100


def number_errors(answer: dict[str, Any], operation: str, *, ignore: frozenset[str] = frozenset()) -> None:
    """Raise the first per-number failure Chime reported inside a 200 `PhoneNumberErrors` (AWS.md §1.3)."""
    for error in answer.get("PhoneNumberErrors") or []:
        code = str(error.get("ErrorCode", ""))
        if code in ignore:
            continue
        text = f"{operation}: {code}: {error.get('ErrorMessage', '')}"
        cls: type[VendorError]
        if code in _CONFLICT_CODES:
            cls = Conflict
        elif code in _RETRYABLE:
            cls = _RETRYABLE[code]
        elif code in _UNAVAILABLE:
            cls = VendorUnavailable
        else:
            cls = InvalidSpec
        raise cls(text, vendor="aws", field="e164" if cls is InvalidSpec else "")


@dataclass(frozen=True)
class PhoneNumber:
    """What Patchbay reads of a number of the account."""

    e164: str
    phone_number_id: str | None
    status: str | None  # Unassigned | Assigned | AcquireInProgress | DeleteInProgress | ...
    name: str | None  # the order's Name: ours when Patchbay ordered it
    product_type: str | None
    order_id: str | None  # while AcquireInProgress: the order to wait for
    voice_connector_id: str | None  # the connector it is associated with, if any


@dataclass(frozen=True)
class PhoneNumberOrder:
    id: str
    status: str  # Processing | Successful | Failed | Partial | ...
    number_statuses: tuple[str, ...]  # each ordered number's own status


def _phone_number(data: dict[str, Any]) -> PhoneNumber:
    connector = next(
        (a.get("Value") for a in data.get("Associations") or [] if a.get("Name") == VOICE_CONNECTOR_ID),
        None,
    )
    return PhoneNumber(
        e164=str(data["E164PhoneNumber"]),
        phone_number_id=data.get("PhoneNumberId"),
        status=data.get("Status"),
        name=data.get("Name"),
        product_type=data.get("ProductType"),
        order_id=data.get("OrderId"),
        voice_connector_id=connector,
    )


class ChimeNumbers(AwsService):
    """The account's Chime phone numbers and their associations with Voice Connectors."""

    SERVICE = "chime-sdk-voice"
    NOT_FOUND = CHIME_NOT_FOUND
    CONFLICT = CHIME_CONFLICT

    def phone_number(self, e164: str) -> PhoneNumber | None:
        """The number (GetPhoneNumber accepts the E.164 form as its id); None when unknown."""
        listed = self._shared(e164, "E164PhoneNumber", "phone-numbers", self._number_items)
        if listed is not None:
            return _phone_number(listed)
        try:
            data = self._call("get_phone_number", PhoneNumberId=e164)["PhoneNumber"]
        except NotFound:
            return None
        return _phone_number(data)

    def phone_numbers(self, *, voice_connector_id: str | None = None) -> list[PhoneNumber]:
        """The numbers associated with a connector, or (none given) every number of the account."""
        if voice_connector_id is not None:
            items = self._pages(
                "list_phone_numbers",
                "PhoneNumbers",
                FilterName=VOICE_CONNECTOR_ID,
                FilterValue=voice_connector_id,
            )
        else:
            items = self._number_items()
        return [_phone_number(n) for n in items if n.get("E164PhoneNumber")]

    def _number_items(self) -> list[dict[str, Any]]:
        """Every number of the account, as ListPhoneNumbers answers them."""
        return self._pages("list_phone_numbers", "PhoneNumbers", MaxResults=NUMBERS_PAGE)

    def connector_numbers(self, connector_id: str) -> list[str]:
        """The E.164 numbers associated with a connector."""
        return [n.e164 for n in self.phone_numbers(voice_connector_id=connector_id)]

    def search_available(self, area_code: str, *, country: str = "US", max_results: int) -> list[str]:
        """Numbers that could be ordered in a (NANP) area code, as E.164."""
        answer = self._call(
            "search_available_phone_numbers",
            AreaCode=area_code,
            Country=country,
            MaxResults=max_results,
        )
        return list(answer.get("E164PhoneNumbers") or [])

    def create_order(self, product_type: str, e164s: list[str], name: str) -> str:
        """Order numbers under our name (single attempt: a create); the order's id."""
        order = self._call(
            "create_phone_number_order",
            create=True,
            ProductType=product_type,
            E164PhoneNumbers=e164s,
            Name=name,
        )["PhoneNumberOrder"]
        return str(order["PhoneNumberOrderId"])

    def order(self, order_id: str) -> PhoneNumberOrder:
        order = self._call("get_phone_number_order", PhoneNumberOrderId=order_id)["PhoneNumberOrder"]
        return PhoneNumberOrder(
            id=str(order.get("PhoneNumberOrderId") or order_id),
            status=str(order.get("Status") or ""),
            number_statuses=tuple(str(n.get("Status")) for n in order.get("OrderedPhoneNumbers") or []),
        )

    def restore(self, e164: str) -> None:
        """Take a released number back out of the 7-day deletion queue."""
        self._call("restore_phone_number", PhoneNumberId=e164)

    def set_product_type(self, e164: str, product_type: str) -> None:
        self._call("update_phone_number", PhoneNumberId=e164, ProductType=product_type)

    def delete(self, e164: str) -> bool:
        """Release the number (Chime keeps it 7 days in DeleteInProgress); False when unknown."""
        try:
            self._call("delete_phone_number", PhoneNumberId=e164)
        except NotFound:
            return False
        return True

    def associate(self, connector_id: str, e164s: list[str], *, create: bool) -> None:
        """Put numbers on a connector, never taking one from another connector (ForceAssociate off).

        `create` makes it a single attempt; per-number failures are raised (`number_errors`).
        """
        answer = self._call(
            "associate_phone_numbers_with_voice_connector",
            create=create,
            VoiceConnectorId=connector_id,
            E164PhoneNumbers=e164s,
            # Never take a number away from another connector silently.
            ForceAssociate=False,
        )
        number_errors(answer, "AssociatePhoneNumbersWithVoiceConnector")

    def disassociate(self, connector_id: str, e164s: list[str]) -> None:
        """Take numbers off a connector; a number already gone is fine."""
        if not e164s:
            return
        answer = self._call(
            "disassociate_phone_numbers_from_voice_connector",
            VoiceConnectorId=connector_id,
            E164PhoneNumbers=e164s,
        )
        number_errors(answer, "DisassociatePhoneNumbersFromVoiceConnector", ignore=frozenset({"NotFound"}))
