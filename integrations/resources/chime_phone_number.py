"""`chime.phone_number`: a Chime number found by search, ordered, and waited for until it is ours.

Chime cannot search numbers by a name of ours, so the number about to be
ordered is recorded as intent before the order is sent; a lost answer is
then found again by that number (`get_phone_number`).
"""

from __future__ import annotations

import logging

from django.conf import settings

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.waiting import wait_for
from integrations.vendors.aws.chime_numbers import ChimeNumbers, PhoneNumberOrder
from integrations.vendors.aws.chime_numbers import PhoneNumber as ChimeNumber
from integrations.vendors.errors import Conflict, InvalidSpec

ACQUIRING = "AcquireInProgress"
DELETING = "DeleteInProgress"
#: statuses of a number that is on its way out of (or never made it into) the account
GONE = frozenset({DELETING, "ReleaseInProgress", "AcquireFailed", "Cancelled", "PortinCancelRequested"})
#: order statuses that will not change any more (botocore:chime-sdk-voice PhoneNumberOrderStatus)
ORDER_DONE = frozenset({"Successful", "Failed", "Partial", "Exception", "Cancelled"})
#: how many candidates to ask a search for; the first is taken
SEARCH_RESULTS = 5

logger = logging.getLogger(__name__)


def _area_code(e164: str) -> str | None:
    # NANP numbers (+1) carry a three-digit area code; others have none to compare.
    return e164[2:5] if e164.startswith("+1") and len(e164) == 12 else None


class PhoneNumber(ResourceType):
    """A number of the account, ordered under our name; the external id is its E.164 form."""

    type_name = "chime.phone_number"
    account_kind = "aws"
    name_max_length = 256  # CreatePhoneNumberOrder Name limit

    def _find(self, ctx: NodeContext) -> ChimeNumber | None:
        """Our number by external id or recorded intent; numbers leaving the account do not count."""
        e164 = ctx.external_id or ctx.intent.get("e164") or ""
        if not e164:
            return None
        number = ChimeNumbers(ctx.clients.aws).phone_number(e164)
        if number is None or number.status in GONE:
            return None
        if not ctx.external_id and number.name not in (None, "", ctx.external_name):
            return None  # someone else's number (ordered between our search and our order)
        return number

    def observe(self, ctx: NodeContext) -> Observation:
        """Find the number and compare its product type and area code (or exact number) with the spec."""
        number = self._find(ctx)
        if number is None:
            return Observation(exists=False)
        e164 = number.e164
        observed = {"product_type": number.product_type, "area_code": _area_code(e164), "e164": e164}
        diff = spec_diff(ctx.spec, observed)
        if number.status == ACQUIRING:
            # The order is still running: update waits for it rather than ordering a second number.
            diff["status"] = (ACQUIRING, "acquired")
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={"e164": e164, "phone_number_id": number.phone_number_id, "status": number.status},
            external_id=e164,
        )

    def _wait_for_order(self, numbers: ChimeNumbers, order_id: str) -> None:
        """Poll the order until it is done (AWS's sample polls about 10 times); fail on a failed order."""
        self._raise_unless_successful(order_id, self._finished_order(numbers, order_id))

    def _finished_order(self, numbers: ChimeNumbers, order_id: str) -> PhoneNumberOrder:
        return wait_for(
            lambda: numbers.order(order_id),
            lambda o: o.status in ORDER_DONE,
            what=f"phone number order {order_id}",
            attempts=settings.CHIME_ORDER_WAIT_ATTEMPTS,
        )

    def _raise_unless_successful(self, order_id: str, order: PhoneNumberOrder) -> None:
        if order.status != "Successful":
            failed = order.number_statuses
            raise InvalidSpec(
                f"phone number order {order_id} ended {order.status} (numbers: {', '.join(failed)})",
                vendor="aws",
                field="area_code",
            )

    def _candidates(self, ctx: NodeContext) -> list[str]:
        """The numbers to order, in turn: the spec's own, or what a search of the area code offers."""
        if ctx.spec.get("e164"):
            return [ctx.spec["e164"]]
        area_code = ctx.spec["area_code"]
        found = ChimeNumbers(ctx.clients.aws).search_available(
            area_code, country="US", max_results=SEARCH_RESULTS
        )
        if not found:
            raise InvalidSpec(
                f"no phone numbers are available in area code {area_code}", vendor="aws", field="area_code"
            )
        return found

    def create(self, ctx: NodeContext) -> str:
        """Search, record the chosen number, order it under our name, and wait for the order.

        A searched number can be taken between the search and the order (another apply searching the
        same area code at the same moment): its order then fails, and the next candidate is ordered.
        """
        numbers = ChimeNumbers(ctx.clients.aws)
        named = bool(ctx.spec.get("e164"))
        candidates = self._candidates(ctx)
        existing = numbers.phone_number(candidates[0]) if named else None
        if existing is not None:
            return self._adopt_specific(ctx, existing)
        for turn, e164 in enumerate(candidates, start=1):
            ctx.record_intent(e164=e164)  # saved before the order: a lost answer is found by this number
            order_id = numbers.create_order(ctx.spec["product_type"], [e164], ctx.external_name)
            ctx.record_intent(e164=e164, order_id=order_id)
            order = self._finished_order(numbers, order_id)
            if order.status == "Failed" and not named and turn < len(candidates):
                # (the number itself is not logged: botocore marks E.164 numbers sensitive)
                logger.info("number order %s failed: taken since the search; ordering the next", order_id)
                continue
            self._raise_unless_successful(order_id, order)
            break
        return e164

    def _adopt_specific(self, ctx: NodeContext, number: ChimeNumber) -> str:
        """The spec names a number the account already has: take it back only if we ordered it."""
        numbers = ChimeNumbers(ctx.clients.aws)
        e164 = number.e164
        if number.name != ctx.external_name:
            raise Conflict(
                f"{e164} is already in this AWS account and was not ordered by this integration; "
                "use it through a phone number association instead",
                vendor="aws",
            )
        ctx.record_intent(e164=e164)
        if number.status == DELETING:
            # Our own number, released by an earlier teardown: the 7-day queue lets us restore it.
            numbers.restore(e164)
        elif number.status == ACQUIRING and number.order_id:
            self._wait_for_order(numbers, number.order_id)
        return e164

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Wait for a running order, or change the product type; another number needs a new node."""
        numbers = ChimeNumbers(ctx.clients.aws)
        e164 = ctx.external_id or ctx.intent.get("e164", "")
        for key in ("area_code", "e164"):
            if key in diff:
                raise InvalidSpec(
                    f"phone number {e164} cannot become another number ({key} {diff[key][1]}); "
                    "tear the integration down and apply it again",
                    vendor="aws",
                    field=key,
                )
        if "status" in diff:
            number = numbers.phone_number(e164)
            order_id = (number.order_id if number else None) or ctx.intent.get("order_id")
            if order_id:
                self._wait_for_order(numbers, order_id)
        if "product_type" in diff:
            numbers.set_product_type(e164, ctx.spec["product_type"])

    def delete(self, ctx: NodeContext) -> None:
        """Take it off its connector, then release it (Chime keeps it 7 days in DeleteInProgress)."""
        numbers = ChimeNumbers(ctx.clients.aws)
        number = self._find(ctx)
        if number is None:
            return
        if number.status == ACQUIRING and number.order_id:
            self._wait_for_order(numbers, number.order_id)  # a number still being acquired cannot be deleted
        if number.voice_connector_id:
            numbers.disassociate(number.voice_connector_id, [number.e164])
        numbers.delete(number.e164)  # False: released meanwhile
