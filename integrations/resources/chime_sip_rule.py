"""`chime.sip_rule`: the rule that hands calls to a Chime number over to the SIP media application."""

from __future__ import annotations

from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.adoption import converge
from integrations.resources.chime_service import SERVICE
from integrations.vendors.aws import AwsSession
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


def _find(aws: AwsSession, rule_id: str, name: str) -> dict[str, Any] | None:
    if rule_id:
        try:
            return aws.call(SERVICE, "get_sip_rule", SipRuleId=rule_id)["SipRule"]
        except NotFound:
            return None
    rules = aws.paginate(SERVICE, "list_sip_rules", "SipRules")
    return next((r for r in rules if r.get("Name") == name), None)


class SipRule(ResourceType):
    """A SIP rule named by its external name; outputs its id."""

    type_name = "chime.sip_rule"
    account_kind = "aws"
    name_max_length = 256  # Chime SDK Voice Name limit

    def observe(self, ctx: NodeContext) -> Observation:
        """Find the rule (by id, else by name) and compare trigger, targets and whether it is disabled."""
        rule = _find(ctx.clients.aws, ctx.external_id, ctx.external_name)
        if rule is None:
            return Observation(exists=False)
        observed = {
            "trigger_type": rule.get("TriggerType"),
            "trigger_value": rule.get("TriggerValue"),
            "targets": _targets(rule.get("TargetApplications")),
            "disabled": bool(rule.get("Disabled", False)),
        }
        desired = {**ctx.spec, "targets": _targets(ctx.spec.get("targets"))}
        diff = spec_diff(desired, observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={"id": rule["SipRuleId"]},
            external_id=rule["SipRuleId"],
        )

    def create(self, ctx: NodeContext) -> str:
        """Create the rule; a ConflictException with our rule already there adopts it."""
        aws: AwsSession = ctx.clients.aws
        spec = ctx.spec
        try:
            answer = aws.call(
                SERVICE,
                "create_sip_rule",
                create=True,
                Name=ctx.external_name,
                TriggerType=spec["trigger_type"],
                TriggerValue=spec["trigger_value"],
                TargetApplications=_targets(spec["targets"]),
                Disabled=bool(spec.get("disabled", False)),
            )
        except Conflict:
            # Chime refuses a second rule on the same trigger value; only ours (by name) is adopted.
            found = _find(aws, "", ctx.external_name)
            if found is None:
                raise
            return converge(self, ctx, found["SipRuleId"])
        return answer["SipRule"]["SipRuleId"]

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
        self._update(
            ctx.clients.aws,
            ctx.external_id,
            ctx.external_name,
            disabled=bool(ctx.spec.get("disabled", False)),
            targets=_targets(ctx.spec["targets"]),
        )

    @staticmethod
    def _update(
        aws: AwsSession,
        rule_id: str,
        name: str,
        *,
        disabled: bool,
        targets: list[dict[str, Any]] | None = None,
    ) -> None:
        params: dict[str, Any] = {"SipRuleId": rule_id, "Name": name, "Disabled": disabled}
        if targets is not None:
            params["TargetApplications"] = targets
        aws.call(SERVICE, "update_sip_rule", **params)

    def delete(self, ctx: NodeContext) -> None:
        """Disable the rule, then delete it: "You must disable SIP rules before you can delete them"."""
        aws: AwsSession = ctx.clients.aws
        rule = _find(aws, ctx.external_id, ctx.external_name)
        if rule is None:
            return
        try:
            if not rule.get("Disabled"):
                self._update(aws, rule["SipRuleId"], rule["Name"], disabled=True)
            aws.call(SERVICE, "delete_sip_rule", SipRuleId=rule["SipRuleId"])
        except NotFound:
            return
