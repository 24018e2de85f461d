"""`chime.sip_rule`: the rule that hands calls to a Chime number over to the SIP media application."""

from __future__ import annotations

from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.adoption import converge
from integrations.vendors.aws.chime_sip import ChimeSip, SipRuleTarget
from integrations.vendors.errors import Conflict, InvalidSpec, NotFound


def _targets(targets: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Target applications in priority order, with only the members we set."""
    shaped = [
        {
            "SipMediaApplicationId": t.get("SipMediaApplicationId"),
            "Priority": int(t["Priority"]) if t.get("Priority") is not None else None,
            "AwsRegion": t.get("AwsRegion"),
        }
        for t in targets or []
    ]
    return sorted(shaped, key=lambda t: (t["Priority"] or 0, str(t["SipMediaApplicationId"])))


def _as_members(targets: tuple[SipRuleTarget, ...]) -> list[dict[str, Any]]:
    """Observed targets in Chime's SipRuleTargetApplication members, as the spec spells them."""
    return [
        {"SipMediaApplicationId": t.sip_media_application_id, "Priority": t.priority, "AwsRegion": t.region}
        for t in targets
    ]


class SipRule(ResourceType):
    """A SIP rule named by its external name; outputs its id."""

    type_name = "chime.sip_rule"
    account_kind = "aws"
    name_max_length = 256  # Chime SDK Voice Name limit

    def observe(self, ctx: NodeContext) -> Observation:
        """Find the rule (by id, else by name) and compare trigger, targets and whether it is disabled."""
        rule = ChimeSip(ctx.clients.aws).find_sip_rule(ctx.external_id, ctx.external_name)
        if rule is None:
            return Observation(exists=False)
        observed = {
            "trigger_type": rule.trigger_type,
            "trigger_value": rule.trigger_value,
            "targets": _targets(_as_members(rule.targets)),
            "disabled": rule.disabled,
        }
        desired = {**ctx.spec, "targets": _targets(ctx.spec.get("targets"))}
        diff = spec_diff(desired, observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={"id": rule.id},
            external_id=rule.id,
        )

    def create(self, ctx: NodeContext) -> str:
        """Create the rule; a ConflictException with our rule already there adopts it."""
        chime = ChimeSip(ctx.clients.aws)
        spec = ctx.spec
        try:
            return chime.create_sip_rule(
                ctx.external_name,
                trigger_type=spec["trigger_type"],
                trigger_value=spec["trigger_value"],
                targets=_targets(spec["targets"]),
                disabled=bool(spec.get("disabled", False)),
            )
        except Conflict:
            # Chime refuses a second rule on the same trigger value; only ours (by name) is adopted.
            found = chime.find_sip_rule("", ctx.external_name)
            if found is None:
                raise
            return converge(self, ctx, found.id)

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Set targets and Disabled (UpdateSipRule requires Name, AWS.md §1.5); triggers cannot change."""
        for key in ("trigger_type", "trigger_value"):
            if key in diff:
                raise InvalidSpec(
                    f"SIP rule {ctx.external_name} cannot change its {key} in place "
                    f"({diff[key][0]} → {diff[key][1]}); tear the integration down and apply it again",
                    vendor="aws",
                    field=key,
                )
        ChimeSip(ctx.clients.aws).update_sip_rule(
            ctx.external_id,
            ctx.external_name,
            disabled=bool(ctx.spec.get("disabled", False)),
            targets=_targets(ctx.spec["targets"]),
        )

    def delete(self, ctx: NodeContext) -> None:
        """Disable the rule, then delete it: "You must disable SIP rules before you can delete them"."""
        chime = ChimeSip(ctx.clients.aws)
        rule = chime.find_sip_rule(ctx.external_id, ctx.external_name)
        if rule is None:
            return
        try:
            if not rule.disabled:
                chime.update_sip_rule(rule.id, rule.name, disabled=True)
            chime.delete_sip_rule(rule.id)  # False: deleted meanwhile
        except NotFound:
            return
