"""`aws.connect_phone_number_flows`: the Amazon Connect numbers routed to the integration's contact flow.

Seed guides 000 and 001 end with "associate your Connect phone number with
this flow"; the admin names the numbers in the config (`connect_phone_numbers`).
Spec: `{"instance_id", "flow_id", "numbers": ["+1...", ...]}`. The object is
the set of the instance's numbers routed to that flow (external id: the flow
id):

- a configured number must be claimed in the instance (ListPhoneNumbersV2 of
  the instance), else the node fails naming it (`connect_phone_numbers`);
- which flow a number routes to is read from ListFlowAssociations
  (`VOICE_PHONE_NUMBER`, the flow as an ARN);
- a configured number not routed here is associated
  (AssociatePhoneNumberContactFlow, which moves it from another flow); a
  number routed here that the config no longer names is disassociated, as is
  every number routed here on teardown.
"""

from __future__ import annotations

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType
from integrations.vendors.aws.connect import VOICE_PHONE_NUMBER, Connect, PhoneNumber
from integrations.vendors.errors import InvalidSpec, NotFound

#: ListPhoneNumbersV2's PhoneNumberPrefix is at most "+" and 11 digits (botocore connect model)
PREFIX_DIGITS = 11


def _tail(arn_or_id: str) -> str:
    return str(arn_or_id or "").rsplit("/", 1)[-1]


class ConnectPhoneNumberFlows(ResourceType):
    """The configured Connect numbers, each associated with the flow; outputs the numbers routed here."""

    type_name = "aws.connect_phone_number_flows"
    account_kind = "aws"
    name_max_length = 500  # no name of its own: ContactFlowId (its external id) is at most 500

    @staticmethod
    def _claimed(connect: Connect, instance_id: str, e164: str) -> PhoneNumber | None:
        """The instance's claimed number `e164`, or None when the instance has not claimed it."""
        try:
            numbers = connect.phone_numbers(instance_id, prefix=e164[: PREFIX_DIGITS + 1])
        except NotFound:
            numbers = []
        return next((n for n in numbers if n.number == e164), None)

    @staticmethod
    def _routes(connect: Connect, instance_id: str) -> dict[str, str]:
        """Phone number ARN → the id of the flow it routes to, for the instance's voice numbers."""
        try:
            associations = connect.flow_associations(instance_id, VOICE_PHONE_NUMBER)
        except NotFound:
            return {}
        return {a.resource_id: _tail(a.flow_id) for a in associations if a.resource_id}

    def _state(self, ctx: NodeContext, *, strict: bool) -> tuple[dict[str, str], dict[str, str]]:
        """(configured E.164 → number ARN, number ARN → E.164 of every number routed to our flow).

        `strict` (before a change): a configured number the instance has not claimed is InvalidSpec
        naming it. Observing only leaves it out, so it shows as a diff and a teardown never fails on it.
        """
        connect = Connect(ctx.clients.aws)
        instance_id = ctx.spec["instance_id"]
        flow_id = _tail(ctx.spec.get("flow_id") or ctx.external_id)
        wanted: dict[str, str] = {}
        for e164 in ctx.spec["numbers"]:
            claimed = self._claimed(connect, instance_id, e164)
            if claimed is not None:
                wanted[e164] = claimed.arn
            elif strict:
                raise InvalidSpec(
                    f"{e164} is not a phone number claimed in Amazon Connect instance {instance_id}: claim"
                    " it there (Connect admin website → Phone numbers) or remove it from"
                    " connect_phone_numbers",
                    vendor="aws",
                    field="connect_phone_numbers",
                )
        by_arn = {arn: e164 for e164, arn in wanted.items()}
        routed: dict[str, str] = {}
        for arn, routed_flow in self._routes(connect, instance_id).items():
            if routed_flow != flow_id:
                continue
            if arn not in by_arn:
                # Routed here but no longer configured: its number, to show in the diff.
                number = connect.phone_number(arn)
                if number is not None:
                    by_arn[arn] = number.number
            routed[arn] = by_arn.get(arn, arn)
        return wanted, routed

    def observe(self, ctx: NodeContext) -> Observation:
        """Check each configured number is claimed; compare the numbers routed to the flow with them."""
        _, routed = self._state(ctx, strict=False)
        observed, desired = sorted(routed.values()), sorted(ctx.spec["numbers"])
        diff = {} if observed == desired else {"numbers": (observed, desired)}
        return Observation(
            # Nothing routed and nothing wanted is the state this node wants: it exists, up to date.
            exists=bool(routed) or not desired,
            up_to_date=not diff,
            diff=diff,
            outputs={"numbers": observed},
            external_id=_tail(ctx.spec["flow_id"]),
        )

    def _associate(self, ctx: NodeContext, arns: list[str]) -> None:
        connect = Connect(ctx.clients.aws)
        for arn in arns:
            connect.associate_phone_number_flow(ctx.spec["instance_id"], arn, _tail(ctx.spec["flow_id"]))

    def _disassociate(self, ctx: NodeContext, arns: list[str]) -> None:
        connect = Connect(ctx.clients.aws)
        for arn in arns:
            # False when released or disassociated meanwhile: done either way.
            connect.disassociate_phone_number_flow(ctx.spec["instance_id"], arn)

    def create(self, ctx: NodeContext) -> str:
        """Route every configured number to the flow."""
        wanted, _ = self._state(ctx, strict=True)
        self._associate(ctx, sorted(wanted.values()))
        return _tail(ctx.spec["flow_id"])

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Route the configured numbers not routed here yet; unroute the ones no longer configured."""
        wanted, routed = self._state(ctx, strict=True)
        self._associate(ctx, sorted(set(wanted.values()) - set(routed)))
        self._disassociate(ctx, sorted(set(routed) - set(wanted.values())))

    def delete(self, ctx: NodeContext) -> None:
        """Unroute every number routed to the flow (the numbers stay claimed: they are the customer's)."""
        flow_id = _tail(ctx.external_id or ctx.spec.get("flow_id") or "")
        routes = self._routes(Connect(ctx.clients.aws), ctx.spec["instance_id"])
        self._disassociate(ctx, sorted(arn for arn, flow in routes.items() if flow == flow_id))
