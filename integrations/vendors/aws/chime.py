"""Chime SDK Voice: Voice Connectors and their setting singletons (termination, origination, logging).

The service's other resource families have their own modules: SIP media applications and SIP
rules `chime_sip.py` (`ChimeSip`), phone numbers, orders and their associations with connectors
`chime_numbers.py` (`ChimeNumbers`). All answer with Chime's own error
codes (botocore's model `chime-sdk-voice` 2022-08-03: `NotFoundException` 404,
`ConflictException` 409; throttling, refusals and outages are mapped by the session alike).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from integrations.vendors.aws.service import AwsService
from integrations.vendors.errors import NotFound

#: botocore chime-sdk-voice 2022-08-03 service-2.json: the exception shapes for "no such object" and
#: "refused in the object's state" (e.g. DeleteVoiceConnector while numbers are associated, a second
#: SIP rule on a trigger value, an SMA name taken)
CHIME_NOT_FOUND = frozenset({"NotFoundException"})
CHIME_CONFLICT = frozenset({"ConflictException"})


@dataclass(frozen=True)
class VoiceConnector:
    """What Patchbay reads of a Voice Connector."""

    id: str
    name: str
    arn: str | None
    host: str | None  # OutboundHostName: <id>.voiceconnector.chime.aws
    region: str | None
    require_encryption: bool | None


@dataclass(frozen=True)
class Termination:
    """A connector's termination settings (who may send calls out through it)."""

    cidr_allowed_list: tuple[str, ...]
    calling_regions: tuple[str, ...]
    cps_limit: int | None
    disabled: bool


@dataclass(frozen=True)
class TerminationHealth:
    """The last OPTIONS ping that reached the termination (none yet: no timestamp)."""

    timestamp: datetime | None
    source: str | None


@dataclass(frozen=True)
class Origination:
    """A connector's origination: `routes` are Chime's OriginationRoute members as Chime returns them."""

    routes: tuple[dict[str, Any], ...]
    disabled: bool | None

    @property
    def configured(self) -> bool:
        """An empty origination is "never put" (as Terraform's provider treats it too)."""
        return bool(self.routes) or self.disabled is not None


@dataclass(frozen=True)
class LoggingConfiguration:
    """Which logs a connector writes."""

    sip_logs: bool
    media_metric_logs: bool


class _Named(Protocol):
    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=_Named)


def by_id_else_name(
    object_id: str, name: str, get: Callable[[str], N | None], listing: Callable[[], list[N]]
) -> N | None:
    """The object by its id once known, else (no id yet: a lost create answer) the one carrying our name.

    Chime does not refuse duplicate names for connectors, nor search by name: the listing is read.
    """
    if object_id:
        return get(object_id)
    return next((o for o in listing() if o.name == name), None)


def _voice_connector(data: dict[str, Any]) -> VoiceConnector:
    return VoiceConnector(
        id=str(data["VoiceConnectorId"]),
        name=str(data.get("Name") or ""),
        arn=data.get("VoiceConnectorArn"),
        host=data.get("OutboundHostName"),
        region=data.get("AwsRegion"),
        require_encryption=data.get("RequireEncryption"),
    )


class ChimeVoice(AwsService):
    """Voice Connectors and their termination, origination and logging settings."""

    SERVICE = "chime-sdk-voice"
    NOT_FOUND = CHIME_NOT_FOUND
    CONFLICT = CHIME_CONFLICT

    # -- Voice Connectors ---------------------------------------------------------------

    def voice_connector(self, connector_id: str) -> VoiceConnector | None:
        listed = self._shared(connector_id, "VoiceConnectorId", "voice-connectors", self._connector_items)
        if listed is not None:
            return _voice_connector(listed)
        try:
            data = self._call("get_voice_connector", VoiceConnectorId=connector_id)["VoiceConnector"]
        except NotFound:
            return None
        return _voice_connector(data)

    def voice_connectors(self, *, max_results: int | None = None) -> list[VoiceConnector]:
        """Every connector (ListVoiceConnectors has NextToken but no boto3 paginator, AWS.md §1.0), or
        one page of at most `max_results` (the connection check: can the role read Chime at all)."""
        if max_results is not None:
            page = self._call("list_voice_connectors", MaxResults=max_results)
            return [_voice_connector(c) for c in page.get("VoiceConnectors") or []]
        return [_voice_connector(c) for c in self._connector_items()]

    def _connector_items(self) -> list[dict[str, Any]]:
        return self._pages("list_voice_connectors", "VoiceConnectors")

    def find_voice_connector(self, connector_id: str, name: str) -> VoiceConnector | None:
        """A connector by id, or (no id yet) the one carrying our name; None when there is none."""
        return by_id_else_name(connector_id, name, self.voice_connector, self.voice_connectors)

    def create_voice_connector(self, name: str, region: str, *, require_encryption: bool) -> str:
        """Create a connector (single attempt; Chime does not refuse duplicate names: look first)."""
        answer = self._call(
            "create_voice_connector",
            create=True,
            Name=name,
            AwsRegion=region,
            RequireEncryption=require_encryption,
        )
        return str(answer["VoiceConnector"]["VoiceConnectorId"])

    def update_voice_connector(self, connector_id: str, name: str, *, require_encryption: bool) -> None:
        # UpdateVoiceConnector requires Name as well (botocore:chime-sdk-voice).
        self._call(
            "update_voice_connector",
            VoiceConnectorId=connector_id,
            Name=name,
            RequireEncryption=require_encryption,
        )

    def delete_voice_connector(self, connector_id: str) -> bool:
        """Delete it (ConflictException while numbers are associated, AWS.md §7.9); False when gone."""
        try:
            self._call("delete_voice_connector", VoiceConnectorId=connector_id)
        except NotFound:
            return False
        return True

    # -- termination ----------------------------------------------------------------------

    def termination(self, connector_id: str) -> Termination | None:
        """The termination; None when it was never put (NotFound, or an empty answer)."""
        try:
            data = self._call("get_voice_connector_termination", VoiceConnectorId=connector_id)
        except NotFound:
            return None
        termination = data.get("Termination") or {}
        if not termination:
            return None
        return Termination(
            cidr_allowed_list=tuple(termination.get("CidrAllowedList") or []),
            calling_regions=tuple(termination.get("CallingRegions") or []),
            cps_limit=termination.get("CpsLimit"),
            disabled=bool(termination.get("Disabled", False)),
        )

    def put_termination(
        self,
        connector_id: str,
        *,
        cidr_allowed_list: list[str],
        calling_regions: list[str],
        cps_limit: int,
        disabled: bool,
    ) -> None:
        """Replace the termination settings (a put: repeating it is safe)."""
        self._call(
            "put_voice_connector_termination",
            VoiceConnectorId=connector_id,
            Termination={
                "CidrAllowedList": cidr_allowed_list,
                "CallingRegions": calling_regions,
                "CpsLimit": cps_limit,
                "Disabled": disabled,
            },
        )

    def delete_termination(self, connector_id: str) -> bool:
        """False when there was none."""
        try:
            self._call("delete_voice_connector_termination", VoiceConnectorId=connector_id)
        except NotFound:
            return False
        return True

    def termination_usernames(self, connector_id: str) -> list[str]:
        """The credentials' usernames, sorted (Chime never returns passwords, AWS.md §1.2)."""
        answer = self._call("list_voice_connector_termination_credentials", VoiceConnectorId=connector_id)
        return sorted(answer.get("Usernames") or [])

    def put_termination_credentials(self, connector_id: str, credentials: list[tuple[str, Any]]) -> None:
        """Put (username, password) pairs. botocore's parameter errors quote rejected values: the
        caller redacts the passwords from any error it shows."""
        self._call(
            "put_voice_connector_termination_credentials",
            VoiceConnectorId=connector_id,
            Credentials=[{"Username": username, "Password": password} for username, password in credentials],
        )

    def delete_termination_credentials(self, connector_id: str, usernames: list[str]) -> None:
        """Raises NotFound for an unknown connector or username: callers decide what that means."""
        self._call(
            "delete_voice_connector_termination_credentials",
            VoiceConnectorId=connector_id,
            Usernames=usernames,
        )

    def termination_health(self, connector_id: str) -> TerminationHealth:
        answer = self._call("get_voice_connector_termination_health", VoiceConnectorId=connector_id)
        health = answer.get("TerminationHealth") or {}
        return TerminationHealth(timestamp=health.get("Timestamp") or None, source=health.get("Source"))

    # -- origination ------------------------------------------------------------------------

    def origination(self, connector_id: str) -> Origination | None:
        """The origination; None on NotFound (an empty one comes back as not `configured`)."""
        try:
            data = self._call("get_voice_connector_origination", VoiceConnectorId=connector_id)
        except NotFound:
            return None
        origination = data.get("Origination") or {}
        return Origination(
            routes=tuple(origination.get("Routes") or []), disabled=origination.get("Disabled")
        )

    def put_origination(self, connector_id: str, routes: list[dict[str, Any]], *, disabled: bool) -> None:
        """Replace the routes wholesale (`routes` in Chime's OriginationRoute members)."""
        self._call(
            "put_voice_connector_origination",
            VoiceConnectorId=connector_id,
            Origination={"Routes": routes, "Disabled": disabled},
        )

    def delete_origination(self, connector_id: str) -> bool:
        """False when there was none."""
        try:
            self._call("delete_voice_connector_origination", VoiceConnectorId=connector_id)
        except NotFound:
            return False
        return True

    # -- logging ----------------------------------------------------------------------------

    def logging_configuration(self, connector_id: str) -> LoggingConfiguration | None:
        """Which logs the connector writes; None when it was never put."""
        try:
            answer = self._call("get_voice_connector_logging_configuration", VoiceConnectorId=connector_id)
        except NotFound:
            return None
        config = answer.get("LoggingConfiguration")
        if config is None:
            return None
        return LoggingConfiguration(
            sip_logs=bool(config.get("EnableSIPLogs")),
            media_metric_logs=bool(config.get("EnableMediaMetricLogs")),
        )

    def put_logging_configuration(
        self, connector_id: str, *, sip_logs: bool, media_metric_logs: bool
    ) -> None:
        """Chime has no delete for it: both off is what "no logging" is."""
        self._call(
            "put_voice_connector_logging_configuration",
            VoiceConnectorId=connector_id,
            LoggingConfiguration={"EnableSIPLogs": sip_logs, "EnableMediaMetricLogs": media_metric_logs},
        )
