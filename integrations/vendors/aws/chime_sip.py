"""Chime SDK Voice SIP media applications and SIP rules: what hands a Chime number's calls to a Lambda.

The same service as `chime.py` (its error codes and its "by id, else by name" lookup), split by
resource family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from integrations.vendors.aws.chime import CHIME_CONFLICT, CHIME_NOT_FOUND, by_id_else_name
from integrations.vendors.aws.service import AwsService
from integrations.vendors.errors import NotFound


@dataclass(frozen=True)
class SipMediaApplication:
    """What Patchbay reads of an SMA: its one Lambda endpoint (the model allows exactly one)."""

    id: str
    name: str
    arn: str | None
    region: str | None
    lambda_arn: str | None


@dataclass(frozen=True)
class SipRuleTarget:
    sip_media_application_id: str | None
    priority: int | None
    region: str | None


@dataclass(frozen=True)
class SipRule:
    id: str
    name: str
    trigger_type: str | None
    trigger_value: str | None
    targets: tuple[SipRuleTarget, ...]
    disabled: bool


def _sip_media_application(data: dict[str, Any]) -> SipMediaApplication:
    endpoints = data.get("Endpoints") or [{}]
    return SipMediaApplication(
        id=str(data["SipMediaApplicationId"]),
        name=str(data.get("Name") or ""),
        arn=data.get("SipMediaApplicationArn"),
        region=data.get("AwsRegion"),
        lambda_arn=endpoints[0].get("LambdaArn"),
    )


def _sip_rule(data: dict[str, Any]) -> SipRule:
    return SipRule(
        id=str(data["SipRuleId"]),
        name=str(data.get("Name") or ""),
        trigger_type=data.get("TriggerType"),
        trigger_value=data.get("TriggerValue"),
        targets=tuple(
            SipRuleTarget(
                sip_media_application_id=t.get("SipMediaApplicationId"),
                priority=int(t["Priority"]) if t.get("Priority") is not None else None,
                region=t.get("AwsRegion"),
            )
            for t in data.get("TargetApplications") or []
        ),
        disabled=bool(data.get("Disabled", False)),
    )


class ChimeSip(AwsService):
    """SIP media applications (each with its one Lambda endpoint) and the SIP rules that target them."""

    SERVICE = "chime-sdk-voice"
    NOT_FOUND = CHIME_NOT_FOUND
    CONFLICT = CHIME_CONFLICT

    # -- SIP media applications -------------------------------------------------------------

    def sip_media_application(self, application_id: str) -> SipMediaApplication | None:
        listed = self._shared(
            application_id, "SipMediaApplicationId", "sip-media-applications", self._application_items
        )
        if listed is not None:
            return _sip_media_application(listed)
        try:
            data = self._call("get_sip_media_application", SipMediaApplicationId=application_id)
        except NotFound:
            return None
        return _sip_media_application(data["SipMediaApplication"])

    def sip_media_applications(self) -> list[SipMediaApplication]:
        return [_sip_media_application(a) for a in self._application_items()]

    def _application_items(self) -> list[dict[str, Any]]:
        return self._pages("list_sip_media_applications", "SipMediaApplications")

    def find_sip_media_application(self, application_id: str, name: str) -> SipMediaApplication | None:
        return by_id_else_name(application_id, name, self.sip_media_application, self.sip_media_applications)

    def create_sip_media_application(self, name: str, region: str, lambda_arn: str) -> str:
        """Single attempt; ConflictException when the name is taken."""
        answer = self._call(
            "create_sip_media_application",
            create=True,
            AwsRegion=region,
            Name=name,
            # The model allows exactly one endpoint (AWS.md §1.4).
            Endpoints=[{"LambdaArn": lambda_arn}],
        )
        return str(answer["SipMediaApplication"]["SipMediaApplicationId"])

    def update_sip_media_application(self, application_id: str, lambda_arn: str) -> None:
        self._call(
            "update_sip_media_application",
            SipMediaApplicationId=application_id,
            Endpoints=[{"LambdaArn": lambda_arn}],
        )

    def delete_sip_media_application(self, application_id: str) -> bool:
        """Refused (Conflict) while a SIP rule targets it; False when gone."""
        try:
            self._call("delete_sip_media_application", SipMediaApplicationId=application_id)
        except NotFound:
            return False
        return True

    # -- SIP rules --------------------------------------------------------------------------

    def sip_rule(self, rule_id: str) -> SipRule | None:
        listed = self._shared(rule_id, "SipRuleId", "sip-rules", self._rule_items)
        if listed is not None:
            return _sip_rule(listed)
        try:
            data = self._call("get_sip_rule", SipRuleId=rule_id)
        except NotFound:
            return None
        return _sip_rule(data["SipRule"])

    def sip_rules(self) -> list[SipRule]:
        return [_sip_rule(r) for r in self._rule_items()]

    def _rule_items(self) -> list[dict[str, Any]]:
        return self._pages("list_sip_rules", "SipRules")

    def find_sip_rule(self, rule_id: str, name: str) -> SipRule | None:
        return by_id_else_name(rule_id, name, self.sip_rule, self.sip_rules)

    def create_sip_rule(
        self,
        name: str,
        *,
        trigger_type: str,
        trigger_value: str,
        targets: list[dict[str, Any]],
        disabled: bool,
    ) -> str:
        """Single attempt; ConflictException for a second rule on the same trigger value.

        `targets` are Chime's SipRuleTargetApplication members.
        """
        answer = self._call(
            "create_sip_rule",
            create=True,
            Name=name,
            TriggerType=trigger_type,
            TriggerValue=trigger_value,
            TargetApplications=targets,
            Disabled=disabled,
        )
        return str(answer["SipRule"]["SipRuleId"])

    def update_sip_rule(
        self, rule_id: str, name: str, *, disabled: bool, targets: list[dict[str, Any]] | None = None
    ) -> None:
        """UpdateSipRule requires Name (AWS.md §1.5); targets are left alone when not given."""
        params: dict[str, Any] = {"SipRuleId": rule_id, "Name": name, "Disabled": disabled}
        if targets is not None:
            params["TargetApplications"] = targets
        self._call("update_sip_rule", **params)

    def delete_sip_rule(self, rule_id: str) -> bool:
        """Chime refuses an enabled rule ("You must disable SIP rules before you can delete them")."""
        try:
            self._call("delete_sip_rule", SipRuleId=rule_id)
        except NotFound:
            return False
        return True
