"""SIP media applications and SIP rules, with the references between them kept honest.

- An SMA has exactly one endpoint (model: min 1, max 1) whose Lambda must exist
  in the sandbox's Lambda (moto) in the SMA's own region (AWS.md §1.4, §7.11).
- A SIP rule's trigger must exist: a ToPhoneNumber value is a
  SipMediaApplicationDialIn number of the inventory, a RequestUriHostname value
  is some connector's outbound host (AWS.md §1.5, §7.10); creating the rule
  associates the number with it (`Associations: [{Name: SipRuleId}]`).
- Deleting an enabled rule, or an SMA a rule targets, is a ConflictException
  (AWS.md §7.9, INFERRED).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from moto.awslambda.exceptions import UnknownFunctionException

from sandbox.aws.chime.phone_ids import e164_from_id
from sandbox.aws.chime.state import (
    AssociationName,
    PhoneNumberStatus,
    ProductType,
    SipMediaApplication,
    SipRule,
    TriggerType,
    new_guid,
    now,
)
from sandbox.aws.chime.voice_connectors import BAD, CONFLICT, NOT_FOUND, page_of
from sandbox.aws.model_stand_in import AwsCall, require
from sandbox.aws.service_model import AwsError

if TYPE_CHECKING:
    from sandbox.aws.chime.stand_in import ChimeVoiceStandIn

_LAMBDA_ARN = re.compile(
    r"arn:[^:]+:lambda:(?P<region>[^:]+):(?P<account>\d{12}):function:(?P<name>[^:]+)(:.+)?"
)

RULES = [
    "CreateSipMediaApplication/UpdateSipMediaApplication: the Lambda must exist in the sandbox's Lambda"
    " (BadRequestException) [AWS.md §7.11]",
    "CreateSipMediaApplication: AwsRegion must equal the Lambda's region [AWS.md §1.4]",
    "CreateSipMediaApplication: AwsRegion is a Chime SDK voice region (VoiceConnectorAwsRegion enum)"
    " [INFERRED]",
    "CreateSipMediaApplication: the Lambda must belong to the calling account [sandbox]",
    "DeleteSipMediaApplication: ConflictException while a SIP rule targets it [AWS.md §7.9, INFERRED]",
    "GetSipMediaApplicationLoggingConfiguration before a Put: NotFoundException [INFERRED]",
    "CreateSipRule: a ToPhoneNumber value must be a SipMediaApplicationDialIn number of the inventory"
    " (BadRequestException) [AWS.md §1.5]",
    "CreateSipRule: a RequestUriHostname value must be an existing connector's outbound host"
    " (BadRequestException) [AWS.md §1.5]",
    "CreateSipRule: a second rule with the same trigger value → ConflictException [AWS.md §1.5, INFERRED]",
    "CreateSipRule/UpdateSipRule: each target SMA must exist (NotFoundException) and be in the target's"
    " AwsRegion; one SMA per region [AWS.md §1.5]",
    "CreateSipRule: a ToPhoneNumber rule associates the number (Associations SipRuleId, Assigned)"
    " [AWS.md §7.8]",
    "UpdateSipRule: Name required, 202 [botocore:chime-sdk-voice]",
    "DeleteSipRule: ConflictException while the rule is enabled [botocore:chime-sdk-voice doc of Disabled]",
    "ListSipRules: an unknown sip-media-application filter → NotFoundException"
    " [botocore:chime-sdk-voice errors]",
]


def find_application(chime: ChimeVoiceStandIn, application_id: str) -> SipMediaApplication:
    """The SMA, or NotFoundException."""
    application = chime.state.applications.get(application_id)
    if application is None:
        raise AwsError(NOT_FOUND, f"SIP media application {application_id} not found.")
    return application


def find_rule(chime: ChimeVoiceStandIn, rule_id: str) -> SipRule:
    """The SIP rule, or NotFoundException."""
    rule = chime.state.rules.get(rule_id)
    if rule is None:
        raise AwsError(NOT_FOUND, f"SIP rule {rule_id} not found.")
    return rule


def _checked_lambda(chime: ChimeVoiceStandIn, endpoints: list[dict[str, Any]], region: str) -> str:
    """The endpoint's Lambda ARN once it names an existing function of that region and account."""
    arn = str(endpoints[0].get("LambdaArn") or "")
    require(bool(arn), BAD, "The endpoint must have a LambdaArn.")
    parts = _LAMBDA_ARN.fullmatch(arn)
    require(parts is not None, BAD, "LambdaArn is not a Lambda function ARN.")
    assert parts is not None
    require(
        parts["region"] == region,
        BAD,
        f"The Lambda function must be in the SIP media application's region {region}.",
    )
    require(
        parts["account"] == chime.sandbox.aws_account_id,
        BAD,
        "The Lambda function must belong to the same account.",
    )
    try:
        chime.sandbox.moto_backend("lambda", region).get_function(arn)
    except UnknownFunctionException as exc:
        raise AwsError(BAD, f"Lambda function {parts['name']} does not exist in {region}.") from exc
    return arn


def create_sip_media_application(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """CreateSipMediaApplication (201)."""
    region = call.params["AwsRegion"]
    require(
        region in chime.voice_regions(), BAD, f"AwsRegion {region} does not support SIP media applications."
    )
    application = SipMediaApplication(
        id=new_guid(),
        name=call.params["Name"],
        region=region,
        account_id=chime.sandbox.aws_account_id,
        lambda_arn=_checked_lambda(chime, call.params["Endpoints"], region),
    )
    chime.state.applications[application.id] = application
    return {"SipMediaApplication": application.as_shape()}


def get_sip_media_application(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """GetSipMediaApplication."""
    return {"SipMediaApplication": find_application(chime, call.params["SipMediaApplicationId"]).as_shape()}


def list_sip_media_applications(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """ListSipMediaApplications, paginated (default 100, per the model doc)."""
    page, token = page_of([a.as_shape() for a in chime.state.applications.values()], call, 100)
    return {"SipMediaApplications": page, "NextToken": token}


def update_sip_media_application(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """UpdateSipMediaApplication: Name and/or the one endpoint."""
    application = find_application(chime, call.params["SipMediaApplicationId"])
    if call.get("Endpoints") is not None:
        application.lambda_arn = _checked_lambda(chime, call.params["Endpoints"], application.region)
    application.name = call.get("Name", application.name)
    application.updated = now()
    return {"SipMediaApplication": application.as_shape()}


def delete_sip_media_application(chime: ChimeVoiceStandIn, call: AwsCall) -> None:
    """DeleteSipMediaApplication (204); refused while a rule targets it."""
    application = find_application(chime, call.params["SipMediaApplicationId"])
    targeting = [r.id for r in chime.state.rules.values() if _targets(r, application.id)]
    require(
        not targeting,
        CONFLICT,
        f"SIP media application {application.id} is the target of SIP rule {', '.join(targeting)}.",
    )
    del chime.state.applications[application.id]


def put_sma_logging(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """PutSipMediaApplicationLoggingConfiguration."""
    application = find_application(chime, call.params["SipMediaApplicationId"])
    given = call.get("SipMediaApplicationLoggingConfiguration", {})
    application.logging = {
        "EnableSipMediaApplicationMessageLogs": bool(given.get("EnableSipMediaApplicationMessageLogs", False))
    }
    return {"SipMediaApplicationLoggingConfiguration": application.logging}


def get_sma_logging(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """GetSipMediaApplicationLoggingConfiguration: NotFound until put."""
    application = find_application(chime, call.params["SipMediaApplicationId"])
    require(
        application.logging is not None, NOT_FOUND, f"Logging configuration for {application.id} not found."
    )
    return {"SipMediaApplicationLoggingConfiguration": application.logging}


# -- SIP rules ------------------------------------------------------------------


def _targets(rule: SipRule, application_id: str) -> bool:
    return any(t.get("SipMediaApplicationId") == application_id for t in rule.targets)


def _checked_targets(chime: ChimeVoiceStandIn, targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    regions: set[str] = set()
    checked = []
    for index, target in enumerate(targets, start=1):
        missing = [k for k in ("SipMediaApplicationId", "Priority", "AwsRegion") if target.get(k) is None]
        require(not missing, BAD, f"Target application {index} is missing {', '.join(missing)}.")
        application = find_application(chime, target["SipMediaApplicationId"])
        require(
            application.region == target["AwsRegion"],
            BAD,
            f"SIP media application {application.id} is in {application.region}, not {target['AwsRegion']}.",
        )
        # "Only one SMA per region; each alternate target must be in a different region" (AWS.md §1.5)
        require(
            target["AwsRegion"] not in regions, BAD, "Each target application must be in a different region."
        )
        regions.add(target["AwsRegion"])
        checked.append(dict(target))
    return checked


def create_sip_rule(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """CreateSipRule (201); a ToPhoneNumber rule associates its number."""
    trigger_type, value = call.params["TriggerType"], call.params["TriggerValue"]
    number = None
    if trigger_type == TriggerType.TO_PHONE_NUMBER:
        value = e164_from_id(value)
        number = chime.state.numbers.get(value)
        require(
            number is not None
            and number.status in (PhoneNumberStatus.UNASSIGNED, PhoneNumberStatus.ASSIGNED),
            BAD,
            "TriggerValue must be a phone number of your Amazon Chime SDK inventory.",
        )
        assert number is not None
        require(
            number.product_type == ProductType.SMA_DIAL_IN,
            BAD,
            "The phone number's product type must be SipMediaApplicationDialIn.",
        )
    else:
        value = value.lower()
        require(
            any(c.host == value for c in chime.state.connectors.values()),
            BAD,
            "TriggerValue must be the outbound host name of one of your Voice Connectors.",
        )
    taken = [
        r.id
        for r in chime.state.rules.values()
        if r.trigger_type == trigger_type and r.trigger_value == value
    ]
    require(not taken, CONFLICT, f"SIP rule {', '.join(taken)} already uses this trigger value.")
    rule = SipRule(
        id=new_guid(),
        name=call.params["Name"],
        trigger_type=trigger_type,
        trigger_value=value,
        targets=_checked_targets(chime, call.params["TargetApplications"]),
        disabled=bool(call.get("Disabled", False)),
    )
    chime.state.rules[rule.id] = rule
    if number is not None:
        number.associations = [
            {"Name": AssociationName.SIP_RULE_ID, "Value": rule.id, "AssociatedTimestamp": now()}
        ]
        number.status = PhoneNumberStatus.ASSIGNED
        number.updated = now()
    return {"SipRule": rule.as_shape()}


def get_sip_rule(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """GetSipRule."""
    return {"SipRule": find_rule(chime, call.params["SipRuleId"]).as_shape()}


def list_sip_rules(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """ListSipRules, optionally only those targeting one SMA."""
    application_id = call.get("SipMediaApplicationId")
    if application_id is not None:
        find_application(chime, application_id)
    rules = [r for r in chime.state.rules.values() if application_id is None or _targets(r, application_id)]
    page, token = page_of([r.as_shape() for r in rules], call, 100)
    return {"SipRules": page, "NextToken": token}


def update_sip_rule(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """UpdateSipRule (202): Name (required), Disabled, TargetApplications."""
    rule = find_rule(chime, call.params["SipRuleId"])
    if call.get("TargetApplications") is not None:
        rule.targets = _checked_targets(chime, call.params["TargetApplications"])
    rule.name = call.params["Name"]
    if call.get("Disabled") is not None:
        rule.disabled = call.params["Disabled"]
    rule.updated = now()
    return {"SipRule": rule.as_shape()}


def delete_sip_rule(chime: ChimeVoiceStandIn, call: AwsCall) -> None:
    """DeleteSipRule (204): only a disabled rule; its number becomes Unassigned."""
    rule = find_rule(chime, call.params["SipRuleId"])
    require(rule.disabled, CONFLICT, "You must disable the SIP rule before you can delete it.")
    for number in chime.state.numbers.values():
        if number.associated_with(AssociationName.SIP_RULE_ID) == rule.id:
            number.associations = []
            number.status = PhoneNumberStatus.UNASSIGNED
            number.updated = now()
    del chime.state.rules[rule.id]
