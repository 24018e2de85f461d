"""`POST /_sandbox/calls`: a call along the real Connect → Chime → far-end path, run on the sandbox's state.

Body: `{"via": "connect", "from": "<caller E.164>", "to": "<Connect or Chime number E.164>",
"attributes": {...}, "region": "us-east-1", "duration_seconds": 5}`.

1. A Connect number runs the contact flow associated with it, as the flow
   language says (`sandbox/aws/connect/contact_call.py`): its attributes, its
   InvokeLambdaFunction, its transfer to a Chime number, its error branches.
   A Chime number dialled directly skips Connect.
2. The Chime number: a SipMediaApplicationDialIn number goes through
   its SIP rule → SIP media application → the Lambda code deployed to the
   sandbox (`sma_session`); a VoiceConnector number rides its connector
   straight to the origination target.
3. The connector INVITEs its origination target (`voice_connector_leg`).

Answer: `{"status", "reason", "delivered_headers", "far_end", "sip": [...],
"lambda": {...}, ...}` with the final SIP status of the call.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sandbox.core.lambda_runtime import LambdaContainer, LambdaUnavailable, region_of
from sandbox.core.sma_session import SmaOutcome, SmaSession
from sandbox.core.voice_connector_leg import LegResult, bridge_to_origination

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
CHIME_PRINCIPAL = "voiceconnector.chime.amazonaws.com"
SMA_TIMEOUT_S = 20.0  # AWS.md §3.5
_DEFAULT_DURATION_S = 5
#: what the contact flow now decides (DESIGN §8: no hints): refused with 400
_HINTS = ("connect_lambda", "parameters")


class CallRequestError(ValueError):
    """A simulated-call request the control API refuses, with its HTTP status."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class SimulatedCalls:
    """Runs simulated calls; its `strict_*` attributes are options (`"calls"` in /_sandbox/options)."""

    #: a Lambda whose resource policy does not let Chime/Connect invoke it fails the call, as on AWS
    strict_invoke_permission = True

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def run(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Simulate one call; returns (HTTP status, answer)."""
        try:
            return 200, self._run(body)
        except CallRequestError as refused:
            return refused.status, {"detail": refused.detail}

    def _run(self, body: dict[str, Any]) -> dict[str, Any]:
        via = body.get("via")
        if via == "twilio":
            return self._twilio(body)
        if via == "genesys":
            return self._genesys(body)
        if via != "connect":
            raise CallRequestError(400, "'via' must be one of connect, twilio, genesys")
        caller, callee = body.get("from"), body.get("to")
        for name, value in (("from", caller), ("to", callee)):
            if not isinstance(value, str) or not _E164.match(value):
                raise CallRequestError(400, f"'{name}' must be an E.164 number such as +15105550101")
        duration = body.get("duration_seconds", _DEFAULT_DURATION_S)
        if isinstance(duration, bool) or not isinstance(duration, int | float) or not 0 < duration <= 3600:
            raise CallRequestError(400, "'duration_seconds' must be a number of seconds, 0-3600")
        for hint in _HINTS:
            if hint in body:
                detail = f"'{hint}' is not taken: call the Connect number, whose contact flow decides"
                raise CallRequestError(400, detail)
        from sandbox.aws.connect.contact_call import run_connect_call

        through_connect = run_connect_call(
            self, body, caller=str(caller), callee=str(callee), duration_ms=int(duration * 1000)
        )
        if through_connect is not None:
            return through_connect
        if body.get("attributes"):
            raise CallRequestError(400, "'attributes' are contact attributes: 'to' must be a Connect number")
        if not self.sandbox.has_stand_in("chime"):
            raise CallRequestError(
                501, f"the chime stand-in is not served ({self.sandbox.absent.get('chime')})"
            )
        chime = self.sandbox.stand_in("chime")
        with self.sandbox.lock:
            number = chime.phone_number(str(callee))
        if number is None:
            raise CallRequestError(404, f"{callee} is not a Chime phone number of the sandbox account")
        call = ConnectCall(
            self, body, caller=str(caller), callee=str(callee), duration_ms=int(duration * 1000)
        )
        return call.run(chime, number)

    def _twilio(self, body: dict[str, Any]) -> dict[str, Any]:
        """A caller rings a Twilio number: its voice URL, then the TwiML's `<Dial><Sip>` (sandbox/twilio)."""
        from sandbox.twilio.simulated_call import TwilioCallError, run_twilio_call

        caller, callee = body.get("from"), body.get("to")
        for name, value in (("from", caller), ("to", callee)):
            if not isinstance(value, str) or not _E164.match(value):
                raise CallRequestError(400, f"'{name}' must be an E.164 number such as +15105550101")
        try:
            return run_twilio_call(self.sandbox, str(caller), str(callee))
        except TwilioCallError as refused:
            raise CallRequestError(refused.status, refused.detail) from None

    def _genesys(self, body: dict[str, Any]) -> dict[str, Any]:
        """Architect transfers out of a BYOC Cloud trunk to Synthflow (sandbox/genesys/simulated_call.py)."""
        from sandbox.genesys.simulated_call import GenesysCallError, run_genesys_call

        try:
            return run_genesys_call(self.sandbox, body)
        except GenesysCallError as refused:
            raise CallRequestError(refused.status, refused.detail) from None


class ConnectCall:
    """One call arriving from Amazon Connect at a Chime number."""

    def __init__(
        self, calls: SimulatedCalls, body: dict[str, Any], *, caller: str, callee: str, duration_ms: int
    ):
        self.calls = calls
        self.sandbox = calls.sandbox
        self.body = body
        self.caller = caller
        self.callee = callee
        self.duration_ms = duration_ms
        self.region = str(body.get("region") or "us-east-1")
        self.lambda_report: dict[str, Any] = {"connect": None, "sma": None}

    def run(self, chime: Any, number: Any) -> dict[str, Any]:
        """The call's outcome as the control API answers it."""
        if number.product_type == "VoiceConnector":
            return self._direct(chime, number)
        return self._through_sma(chime)

    # --- Chime ----------------------------------------------------------------------------------
    def _direct(self, chime: Any, number: Any) -> dict[str, Any]:
        """A VoiceConnector number: the connector sends the call straight to its origination target."""
        connector_id = number.associated_with("VoiceConnectorId")
        with self.sandbox.lock:
            connector = chime.voice_connector(connector_id) if connector_id else None
        if connector is None:
            return self._answer(
                404, "Not Found", detail=f"{self.callee} is not associated with a Voice Connector"
            )
        leg = bridge_to_origination(
            self.sandbox,
            connector,
            uri_user=self.callee,
            caller_id=self.caller,
            headers={},
            duration_ms=self.duration_ms,
        )
        return self._answer(leg.status, leg.reason, leg=leg, detail=leg.detail)

    def _through_sma(self, chime: Any) -> dict[str, Any]:
        with self.sandbox.lock:
            rule = chime.sip_rule_for_number(self.callee)
            targets = sorted(rule.targets, key=lambda t: int(t.get("Priority") or 1)) if rule else []
            sma = next(
                (a for t in targets if (a := chime.sip_media_application(t.get("SipMediaApplicationId")))),
                None,
            )
        if rule is None:
            return self._answer(404, "Not Found", detail=f"no enabled SIP rule is triggered by {self.callee}")
        if sma is None:
            return self._answer(
                480, "Temporarily Unavailable", detail=f"SIP rule {rule.id} targets no existing SMA"
            )
        try:
            container = LambdaContainer(
                self.sandbox,
                sma.lambda_arn,
                region_of(sma.lambda_arn, sma.region),
                caller_timeout_s=SMA_TIMEOUT_S,
            )
        except LambdaUnavailable as missing:
            return self._answer(480, "Temporarily Unavailable", detail=f"the SMA's Lambda: {missing}")
        try:
            report: dict[str, Any] = {"function": container.function_name, "log_group": container.log_group}
            self.lambda_report["sma"] = report
            if self.calls.strict_invoke_permission and not container.allows(CHIME_PRINCIPAL):
                detail = (
                    f"{container.function_name} does not allow {CHIME_PRINCIPAL} to invoke it: Chime hangs up"
                )
                return self._answer(480, "Temporarily Unavailable", detail=detail)
            session = SmaSession(
                sandbox=self.sandbox,
                container=container,
                caller=self.caller,
                callee=self.callee,
                region=sma.region,
                sip_rule_id=rule.id,
                sma_id=sma.id,
                duration_ms=self.duration_ms,
            )
            outcome = session.run()
        finally:
            container.close()
            if self.lambda_report["sma"] is not None:
                self.lambda_report["sma"]["invocations"] = [i.as_dict() for i in container.invocations]
        return self._sma_answer(outcome)

    def _sma_answer(self, outcome: SmaOutcome) -> dict[str, Any]:
        self.lambda_report["sma"].update(
            {
                "outcome": outcome.result,
                "error_type": outcome.error_type,
                "detail": outcome.detail,
                "not_simulated": outcome.not_simulated,
            }
        )
        return self._answer(outcome.status, outcome.reason, leg=outcome.leg, detail=outcome.detail)

    def _answer(
        self, status: int, reason: str, *, leg: LegResult | None = None, detail: str = ""
    ) -> dict[str, Any]:
        return {
            "status": status,
            "reason": reason,
            "detail": detail,
            "delivered_headers": leg.delivered_headers if leg else {},
            "far_end": leg.far_end if leg else "",
            "voice_connector_id": leg.connector_id if leg else "",
            "request_uri": leg.request_uri if leg else "",
            "source_ip": leg.source_ip if leg else "",
            "connector_call_id": leg.connector_call_id if leg else "",
            "sip_log_group": leg.sip_log_group if leg else None,
            "sip": [m.as_dict() for m in leg.messages] if leg else [],
            "lambda": self.lambda_report,
        }
