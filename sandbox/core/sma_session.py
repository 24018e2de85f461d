"""A SIP media application's side of a simulated inbound call, as Chime's PSTN audio service runs it.

Chime invokes the SMA's Lambda with NEW_INBOUND_CALL (AWS.md §3.1), reads the
actions it answers (§3.2) and carries them out: a valid CallAndBridge to an
AWS endpoint makes the Voice Connector INVITE its origination target, then
the Lambda hears ACTION_SUCCESSFUL (both legs connected) and, when the far end
hangs up, HANGUP for LEG-B; a bridge nobody answers gives ACTION_FAILED
`CallNotAnswered`; invalid parameters give ACTION_FAILED
`InvalidActionParameter` (§3.3). Every invocation goes to the same warm
container. Only CallAndBridge and Hangup are carried out; other actions are
reported as not simulated.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.core.call_rules import InvalidLambdaResponse, check_call_and_bridge, read_actions
from sandbox.core.lambda_runtime import Invocation, LambdaContainer
from sandbox.core.voice_connector_leg import LegResult, bridge_to_origination

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox

#: Chime never loops forever on a Lambda's answers: a call gets at most this many invocations here
MAX_INVOCATIONS = 8
_UNAVAILABLE = (480, "Temporarily Unavailable")
# Hangup's SipResponseCode (0 normal, 480, 486; AWS.md §3.4) as the caller's final status.
_HANGUP_STATUS = {"480": (480, "Temporarily Unavailable"), "486": (486, "Busy Here")}


@dataclass
class SmaOutcome:
    """How the SMA part of the call ended."""

    status: int
    reason: str
    result: (
        str  # ACTION_SUCCESSFUL | ACTION_FAILED | INVALID_LAMBDA_RESPONSE | HANGUP | LAMBDA_ERROR | NO_BRIDGE
    )
    detail: str = ""
    error_type: str = ""
    leg: LegResult | None = None
    not_simulated: list[str] = field(default_factory=list)


@dataclass
class SmaSession:
    """One call's conversation between Chime and the SMA Lambda."""

    sandbox: Sandbox
    container: LambdaContainer
    caller: str
    callee: str
    region: str
    sip_rule_id: str
    sma_id: str
    duration_ms: int

    def __post_init__(self) -> None:
        self.transaction_id = str(uuid.uuid4())
        self.leg_a = {
            "CallId": str(uuid.uuid4()),
            "ParticipantTag": "LEG-A",
            "To": self.callee,
            "From": self.caller,
            "Direction": "Inbound",
            "StartTimeInMilliseconds": str(int(time.time() * 1000)),
            "Status": "Connected",
        }
        self.sequence = 0

    def _event(
        self, kind: str, participants: list[dict[str, Any]], action_data: dict[str, Any] | None
    ) -> dict:
        self.sequence += 1
        event: dict[str, Any] = {
            "SchemaVersion": "1.0",
            "Sequence": self.sequence,
            "InvocationEventType": kind,
            "CallDetails": {
                "TransactionId": self.transaction_id,
                "AwsAccountId": self.sandbox.aws_account_id,
                "AwsRegion": self.region,
                "SipRuleId": self.sip_rule_id,
                # The docs use both names (AWS.md §3.1); the sandbox sends both.
                "SipMediaApplicationId": self.sma_id,
                "SipApplicationId": self.sma_id,
                "Participants": participants,
            },
        }
        if action_data is not None:
            event["ActionData"] = action_data
        return event

    def _invoke(
        self, kind: str, participants: list[dict], action_data: dict | None = None, at_ms: int | None = None
    ) -> Invocation:
        return self.container.invoke(self._event(kind, participants, action_data), at_ms=at_ms)

    def run(self) -> SmaOutcome:
        """Invoke NEW_INBOUND_CALL and carry out what the Lambda answers."""
        return self._carry_out(self._invoke("NEW_INBOUND_CALL", [dict(self.leg_a)]))

    def _carry_out(self, invocation: Invocation) -> SmaOutcome:
        if invocation.error is not None:
            error = invocation.error
            detail = f"the SMA Lambda failed: {error.get('errorType')}: {error.get('errorMessage')}"
            return SmaOutcome(*_UNAVAILABLE, result="LAMBDA_ERROR", detail=detail)
        try:
            actions = read_actions(invocation.result)
        except InvalidLambdaResponse as invalid:
            return SmaOutcome(*_UNAVAILABLE, result="INVALID_LAMBDA_RESPONSE", detail=str(invalid))
        skipped: list[str] = []
        for action in actions:
            kind = action["Type"]
            if kind == "CallAndBridge":
                outcome = self._call_and_bridge(action)
                outcome.not_simulated = skipped + outcome.not_simulated
                return outcome
            if kind == "Hangup":
                code = str((action.get("Parameters") or {}).get("SipResponseCode", "0"))
                status, reason = _HANGUP_STATUS.get(code, (603, "Decline"))
                return SmaOutcome(
                    status, reason, result="HANGUP", detail="the SMA Lambda hung up", not_simulated=skipped
                )
            skipped.append(kind)
        return SmaOutcome(
            *_UNAVAILABLE,
            result="NO_BRIDGE",
            detail="the SMA Lambda answered no CallAndBridge",
            not_simulated=skipped,
        )

    def _call_and_bridge(self, action: dict[str, Any]) -> SmaOutcome:
        chime = self.sandbox.stand_in("chime")
        with self.sandbox.lock:
            bridge, problems = check_call_and_bridge(
                action.get("Parameters"),
                connector_exists=lambda arn: chime.voice_connector_by_arn(arn) is not None,
            )
        action_data: dict[str, Any] = {"Type": "CallAndBridge", "Parameters": action.get("Parameters")}
        if problems:
            failure = {
                **action_data,
                "ErrorType": "InvalidActionParameter",
                "ErrorMessage": "; ".join(problems),
            }
            self._followed_up("ACTION_FAILED", [dict(self.leg_a)], failure)
            return SmaOutcome(
                *_UNAVAILABLE,
                result="ACTION_FAILED",
                error_type="InvalidActionParameter",
                detail="; ".join(problems),
            )
        if bridge is None:
            return SmaOutcome(
                *_UNAVAILABLE, result="NO_BRIDGE", detail="CallAndBridge to PSTN is not simulated"
            )
        with self.sandbox.lock:
            connector = chime.voice_connector_by_arn(bridge.connector_arn)
        leg = bridge_to_origination(
            self.sandbox,
            connector,
            uri_user=bridge.uri_user,
            caller_id=bridge.caller_id,
            headers=bridge.headers,
            duration_ms=self.duration_ms,
        )
        leg_b = {
            "CallId": str(uuid.uuid4()),
            "ParticipantTag": "LEG-B",
            "To": bridge.uri_user,
            "From": bridge.caller_id,
            "Direction": "Outbound",
            "StartTimeInMilliseconds": str(int(time.time() * 1000)),
        }
        if leg.status != 200:
            failure = {**action_data, "ErrorType": "CallNotAnswered", "ErrorMessage": "Call not answered"}
            self._followed_up("ACTION_FAILED", [dict(self.leg_a)], failure, at_ms=_final_response_ms(leg))
            return SmaOutcome(
                leg.status,
                leg.reason,
                result="ACTION_FAILED",
                error_type="CallNotAnswered",
                detail=leg.detail,
                leg=leg,
            )
        connected = [dict(self.leg_a), {**leg_b, "Status": "Connected"}]
        # Chime reports the bridge once LEG-B answered (AWS.md §3.3): after the far end's 200 OK.
        self._followed_up("ACTION_SUCCESSFUL", connected, action_data, at_ms=_final_response_ms(leg))
        # The far end (the AI agent) ends the call: Chime tells the Lambda LEG-B hung up (AWS.md §3.3),
        # once its BYE arrived (and was answered): the last message of the leg.
        hangup = {
            "Type": "Hangup",
            "Parameters": {"SipResponseCode": "0", "CallId": leg_b["CallId"], "ParticipantTag": "LEG-B"},
        }
        hung_up_ms = leg.messages[-1].at_ms if leg.messages else None
        self._followed_up(
            "HANGUP", [dict(self.leg_a), {**leg_b, "Status": "Disconnected"}], hangup, at_ms=hung_up_ms
        )
        return SmaOutcome(200, "OK", result="ACTION_SUCCESSFUL", leg=leg)

    def _followed_up(
        self, kind: str, participants: list[dict], action_data: dict, at_ms: int | None = None
    ) -> None:
        """Tell the Lambda what happened (its answer is reported with the invocation, not carried out);
        `at_ms`: the simulated instant of the SIP message that caused the event."""
        if self.sequence < MAX_INVOCATIONS:
            self._invoke(kind, participants, action_data, at_ms=at_ms)


def _final_response_ms(leg: LegResult) -> int | None:
    """When the far end's final answer to the INVITE was sent (the leg's first response >= 200)."""
    for message in leg.messages:
        code = message.label.split(" ", 1)[0]
        if code.isdigit() and int(code) >= 200:
            return message.at_ms
    return None
