"""The chime-sdk-voice stand-in (SigV4 signing name `chime`), which moto lacks.

Wire format and model constraints come from botocore's `chime-sdk-voice`
model (`sandbox.aws.service_model`); the handlers keep the account's state
and its referential rules. A modeled operation without a handler answers 400
BadRequestException (never 5xx, which boto3 would retry: AWS.md §7.3).

Read access for the simulated call (`/_sandbox/calls`), all plain methods:

- `voice_connector(id)` / `voice_connector_by_arn(arn)` / `voice_connector_by_host(host)`
  → `VoiceConnector` with `.origination` (the stored `Origination` dict:
  `{"Routes": [{"Host", "Port", "Protocol", "Priority", "Weight"}], "Disabled"}`
  or None), `.logging` (`{"EnableSIPLogs", "EnableMediaMetricLogs"}` or None),
  `.termination`, `.region`, `.host`, `.arn`, `.require_encryption`;
- `phone_number(e164)` → `PhoneNumber` (`.status`, `.product_type`, `.associations`);
- `sip_rule_for_number(e164)` → the enabled ToPhoneNumber `SipRule` or None;
- `sip_media_application(id)` → `SipMediaApplication` (`.lambda_arn`, `.region`, `.logging`).
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

from sandbox.aws.chime import number_search, phone_numbers, sip_media, voice_connectors
from sandbox.aws.chime.phone_ids import e164_from_id
from sandbox.aws.chime.signalling import connector_addresses
from sandbox.aws.chime.state import (
    ChimeState,
    PhoneNumber,
    PhoneNumberStatus,
    SipMediaApplication,
    SipRule,
    TriggerType,
    VoiceConnector,
)
from sandbox.aws.model_stand_in import Handler, ModelBackedStandIn
from sandbox.aws.service_model import MatchedOperation
from sandbox.core.vendor import LiveObject, Routed

_HANDLERS = {
    "CreateVoiceConnector": voice_connectors.create_voice_connector,
    "GetVoiceConnector": voice_connectors.get_voice_connector,
    "ListVoiceConnectors": voice_connectors.list_voice_connectors,
    "UpdateVoiceConnector": voice_connectors.update_voice_connector,
    "DeleteVoiceConnector": voice_connectors.delete_voice_connector,
    "PutVoiceConnectorOrigination": voice_connectors.put_origination,
    "GetVoiceConnectorOrigination": voice_connectors.get_origination,
    "DeleteVoiceConnectorOrigination": voice_connectors.delete_origination,
    "PutVoiceConnectorTermination": voice_connectors.put_termination,
    "GetVoiceConnectorTermination": voice_connectors.get_termination,
    "DeleteVoiceConnectorTermination": voice_connectors.delete_termination,
    "PutVoiceConnectorTerminationCredentials": voice_connectors.put_credentials,
    "ListVoiceConnectorTerminationCredentials": voice_connectors.list_credentials,
    "DeleteVoiceConnectorTerminationCredentials": voice_connectors.delete_credentials,
    "PutVoiceConnectorLoggingConfiguration": voice_connectors.put_logging,
    "GetVoiceConnectorLoggingConfiguration": voice_connectors.get_logging,
    "SearchAvailablePhoneNumbers": number_search.search_available_phone_numbers,
    "CreatePhoneNumberOrder": phone_numbers.create_phone_number_order,
    "GetPhoneNumberOrder": phone_numbers.get_phone_number_order,
    "ListPhoneNumberOrders": phone_numbers.list_phone_number_orders,
    "ListPhoneNumbers": phone_numbers.list_phone_numbers,
    "GetPhoneNumber": phone_numbers.get_phone_number,
    "UpdatePhoneNumber": phone_numbers.update_phone_number,
    "DeletePhoneNumber": phone_numbers.delete_phone_number,
    "BatchDeletePhoneNumber": phone_numbers.batch_delete_phone_number,
    "RestorePhoneNumber": phone_numbers.restore_phone_number,
    "AssociatePhoneNumbersWithVoiceConnector": phone_numbers.associate_with_connector,
    "DisassociatePhoneNumbersFromVoiceConnector": phone_numbers.disassociate_from_connector,
    "CreateSipMediaApplication": sip_media.create_sip_media_application,
    "GetSipMediaApplication": sip_media.get_sip_media_application,
    "ListSipMediaApplications": sip_media.list_sip_media_applications,
    "UpdateSipMediaApplication": sip_media.update_sip_media_application,
    "DeleteSipMediaApplication": sip_media.delete_sip_media_application,
    "PutSipMediaApplicationLoggingConfiguration": sip_media.put_sma_logging,
    "GetSipMediaApplicationLoggingConfiguration": sip_media.get_sma_logging,
    "CreateSipRule": sip_media.create_sip_rule,
    "GetSipRule": sip_media.get_sip_rule,
    "ListSipRules": sip_media.list_sip_rules,
    "UpdateSipRule": sip_media.update_sip_rule,
    "DeleteSipRule": sip_media.delete_sip_rule,
}


class ChimeVoiceStandIn(ModelBackedStandIn):
    """Amazon Chime SDK Voice: connectors, numbers, SIP media applications and SIP rules."""

    signing_name = "chime"
    service_name = "chime-sdk-voice"
    validation_error = "BadRequestException"
    throttling_error = "ThrottledClientException"
    tunables: ClassVar[tuple[str, ...]] = ("phone_order_polls", "connector_source_ip")
    #: GetPhoneNumberOrder polls answered Processing before the order is Successful (0 = at once)
    phone_order_polls: int = 2
    #: the address a connector's INVITEs come from: "" = any address of its region's signalling
    #: range, picked at random per call (as Chime does, AWS.md §5.2); a test pins one to be sure
    connector_source_ip: str = ""
    state: ChimeState

    def new_state(self) -> ChimeState:
        return ChimeState()

    def reset(self) -> None:
        for connector in self.state.connectors.values():
            self.sandbox.dns.remove(connector.host)
        super().reset()

    def handlers(self) -> dict[str, Handler]:
        return {name: functools.partial(function, self) for name, function in _HANDLERS.items()}

    def unserved(self, matched: MatchedOperation) -> Routed | None:
        name = matched.name

        def not_implemented() -> Any:
            return self.service.error("BadRequestException", f"The sandbox does not implement {name}.")

        return Routed(name, not_implemented)

    def extra_rules(self) -> list[str]:
        return voice_connectors.RULES + number_search.RULES + phone_numbers.RULES + sip_media.RULES

    def voice_regions(self) -> list[str]:
        """The regions a connector (and an SMA) may live in, from the model's enum."""
        return list(self.service.model.shape_for("VoiceConnectorAwsRegion").enum)

    def live_objects(self) -> list[LiveObject]:
        state = self.state
        objects = [LiveObject("aws", "chime.VoiceConnector", c.id, c.name) for c in state.connectors.values()]
        objects += [
            LiveObject("aws", "chime.PhoneNumber", n.e164, n.name or "", str(n.status))
            for n in state.numbers.values()
        ]
        objects += [
            LiveObject("aws", "chime.SipMediaApplication", a.id, a.name) for a in state.applications.values()
        ]
        objects += [
            LiveObject("aws", "chime.SipRule", r.id, r.name, "disabled" if r.disabled else "enabled")
            for r in state.rules.values()
        ]
        return objects

    def load_state(self, state: Any) -> None:
        super().load_state(state)
        # A restored connector's host must resolve again; IPs changed through the control API are
        # restored with the DNS records' own state, so only missing hosts are filled in.
        for connector in self.state.connectors.values():
            if self.sandbox.dns.get(connector.host) is None:
                self.sandbox.dns.set(connector.host, connector_addresses(connector.id, connector.region))

    # -- read access for simulated calls ------------------------------------------

    def voice_connector(self, connector_id: str) -> VoiceConnector | None:
        """The connector with this id, or None."""
        return self.state.connectors.get(connector_id)

    def voice_connector_by_arn(self, arn: str) -> VoiceConnector | None:
        """The connector a CallAndBridge `Arn` names, or None."""
        return next((c for c in self.state.connectors.values() if c.arn == arn), None)

    def voice_connector_by_host(self, host: str) -> VoiceConnector | None:
        """The connector whose outbound host name this is, or None."""
        return next((c for c in self.state.connectors.values() if c.host == host.lower().rstrip(".")), None)

    def phone_number(self, e164: str) -> PhoneNumber | None:
        """The inventory number (any status), or None."""
        return self.state.numbers.get(e164_from_id(e164))

    def sip_rule_for_number(self, e164: str) -> SipRule | None:
        """The enabled ToPhoneNumber rule a call to this number triggers, or None."""
        number = self.phone_number(e164)
        if number is None or number.status == PhoneNumberStatus.DELETE_IN_PROGRESS:
            return None
        return next(
            (
                r
                for r in self.state.rules.values()
                if r.trigger_type == TriggerType.TO_PHONE_NUMBER
                and r.trigger_value == number.e164
                and not r.disabled
            ),
            None,
        )

    def sip_media_application(self, application_id: str) -> SipMediaApplication | None:
        """The SMA with this id, or None."""
        return self.state.applications.get(application_id)
