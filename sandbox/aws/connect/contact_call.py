"""A call to an Amazon Connect number: the contact flow associated with it runs, as the flow language says.

`POST /_sandbox/calls {"via": "connect", "from", "to": <a Connect number>, "attributes"}`. The number
must be claimed by an instance of the sandbox; the flow associated with it
(AssociatePhoneNumberContactFlow) runs from its StartAction, action by action,
on its saved content (Connect flow-language reference pages; AWS.md §4.2):

- UpdateContactAttributes sets contact attributes; a value may be static or
  a reference: `$.CustomerEndpoint.Address` (the caller), `$.SystemEndpoint.Address`
  (the dialled number), `$.Attributes.<key>`, `$.External.<key>` (the last
  Lambda's answer). `attributes` of the request are the ones the contact
  already carries when it enters the flow (e.g. set by an earlier flow).
- InvokeLambdaFunction invokes the function with Connect's event (AWS.md §4.3:
  the attributes in `Details.ContactData.Attributes`, the action's
  `LambdaInvocationAttributes` in `Details.Parameters`) and waits at most
  `InvocationTimeLimitSeconds`. Its resource policy must let
  `connect.amazonaws.com` invoke it; with `ResponseValidation` STRING_MAP the
  answer must be a flat map of strings. The answer becomes `$.External`; any
  failure takes the action's NoMatchingError branch.
- TransferParticipantToThirdParty dials `ThirdPartyPhoneNumber`. A Chime
  number of the sandbox carries the call on from there (`ConnectCall`: SIP
  rule → SMA Lambda, or the Voice Connector) with the caller's number as caller
  id. Answered: the flow ends unless `ContinueFlowExecution` is "True".
  Not answered: the ConnectionTimeLimitExceeded branch when no final answer
  came before the time limit (408), else CallFailed; NoMatchingError catches
  what the action's other transitions do not.
- MessageParticipant records the prompt (`said`); DisconnectParticipant ends
  the flow. Any other action type ends it too, listed in `not_simulated`.

An error without a matching transition ends the flow (Connect disconnects).
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from sandbox.core.lambda_runtime import LambdaContainer, LambdaUnavailable, region_of
from sandbox.core.simulated_call import CallRequestError, ConnectCall

if TYPE_CHECKING:
    from sandbox.core.simulated_call import SimulatedCalls

CONNECT_PRINCIPAL = "connect.amazonaws.com"
#: a flow runs at most this many actions (a loop in a flow cannot hang the control API)
MAX_STEPS = 100
#: the far end did not answer before the time limit: SIP 408 (what voice_connector_leg answers)
NO_ANSWER = 408


def _contact_flow(calls: SimulatedCalls, callee: str, region: str) -> tuple[Any, Any] | None:
    """(claimed number, its flow) for a Connect number of the sandbox; None when `callee` is not one."""
    if not calls.sandbox.has_stand_in("connect"):
        return None
    connect = calls.sandbox.stand_in("connect")
    with calls.sandbox.lock:
        number = next(
            (n for n in connect.state.numbers.values() if n.e164 == callee and n.region == region),
            None,
        )
        flow = connect.state.flows.get(number.flow_id) if number and number.flow_id else None
    return (number, flow) if number is not None else None


def run_connect_call(
    calls: SimulatedCalls, body: dict[str, Any], *, caller: str, callee: str, duration_ms: int
) -> dict[str, Any] | None:
    """The answer of a call to a Connect number, or None when `callee` is no Connect number of the sandbox."""
    region = str(body.get("region") or "us-east-1")
    found = _contact_flow(calls, callee, region)
    if found is None:
        return None
    number, flow = found
    contact = Contact(calls, body, caller=caller, callee=callee, duration_ms=duration_ms, number=number)
    if flow is None:
        return contact.finish(480, "Temporarily Unavailable", f"{callee} is associated with no contact flow")
    return contact.run(flow)


def _invocation_problem(invocation: Any, validation: str) -> str | None:
    """Why Connect takes the error branch after this invocation, or None (ResponseValidation, AWS.md §4.2)."""
    if invocation.error is not None:
        return f"{invocation.error.get('errorType')}: {invocation.error.get('errorMessage')}"
    result = invocation.result
    if not isinstance(result, dict):
        return "the response is not a JSON object"
    if validation == "STRING_MAP" and not all(isinstance(v, str) for v in result.values()):
        return "the response is not a flat string map (STRING_MAP validation)"
    return None


class Contact:
    """One contact running through a flow: its attributes, the steps taken, the transfer's outcome."""

    def __init__(
        self,
        calls: SimulatedCalls,
        body: dict[str, Any],
        *,
        caller: str,
        callee: str,
        duration_ms: int,
        number: Any,
    ) -> None:
        self.calls = calls
        self.body = body
        self.caller, self.callee, self.duration_ms = caller, callee, duration_ms
        self.number = number
        self.contact_id = str(uuid.uuid4())
        attributes = body.get("attributes") or {}
        if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
            raise CallRequestError(400, "'attributes' must be an object of strings")
        self.attributes = {str(k): v for k, v in attributes.items()}
        self.external: dict[str, Any] = {}
        self.steps: list[dict[str, Any]] = []
        self.said: list[str] = []
        self.not_simulated: list[str] = []
        self.lambda_report: dict[str, Any] | None = None
        self.transfer: dict[str, Any] | None = None
        self.flow_shape: dict[str, Any] = {}

    # --- the flow -----------------------------------------------------------------------
    def run(self, flow: Any) -> dict[str, Any]:
        """Run the flow from its StartAction; the answer is the transfer's, with what the flow did."""
        self.flow_shape = {"id": flow.id, "name": flow.name}
        content = json.loads(flow.content)
        actions = {a["Identifier"]: a for a in content["Actions"]}
        current: str | None = content["StartAction"]
        while current is not None and len(self.steps) < MAX_STEPS:
            action = actions[current]
            outcome, error = self._perform(action)
            current = self._next(action, error)
            self.steps.append(
                {"action": action["Identifier"], "type": action["Type"], "outcome": outcome, "error": error}
            )
            if outcome == "ended":
                break
        if self.transfer is not None:
            return self._with_flow(self.transfer)
        return self.finish(480, "Temporarily Unavailable", "the contact flow ended without a transfer")

    def _next(self, action: dict[str, Any], error: str | None) -> str | None:
        transitions = action.get("Transitions") or {}
        if error is None:
            return transitions.get("NextAction")
        branches = {e.get("ErrorType"): e.get("NextAction") for e in transitions.get("Errors") or []}
        return branches.get(error) or branches.get("NoMatchingError")

    def _perform(self, action: dict[str, Any]) -> tuple[str, str | None]:
        """(what happened, the error type the action raised or None)."""
        kind, parameters = action["Type"], action.get("Parameters") or {}
        if kind == "UpdateContactAttributes":
            for key, value in (parameters.get("Attributes") or {}).items():
                self.attributes[key] = self._value(value)
            return "set", None
        if kind == "InvokeLambdaFunction":
            return self._invoke(parameters)
        if kind == "TransferParticipantToThirdParty":
            return self._transfer(parameters)
        if kind == "MessageParticipant":
            prompt = parameters.get("Text") or parameters.get("SSML") or parameters.get("PromptId")
            self.said.append(str(prompt))
            return "said", None
        if kind == "DisconnectParticipant":
            return "ended", None
        self.not_simulated.append(kind)
        return "ended", None

    def _value(self, value: Any) -> str:
        """A static value, or a `$.` reference resolved against the contact (unknown references: "")."""
        text = str(value)
        if not text.startswith("$."):
            return text
        if text == "$.CustomerEndpoint.Address":
            return self.caller
        if text == "$.SystemEndpoint.Address":
            return self.callee
        if text.startswith("$.Attributes."):
            return self.attributes.get(text.removeprefix("$.Attributes."), "")
        if text.startswith("$.External."):
            return str(self.external.get(text.removeprefix("$.External."), ""))
        return ""

    # --- InvokeLambdaFunction ---------------------------------------------------------------
    def _event(self, parameters: dict[str, Any]) -> dict[str, Any]:
        instance_arn = getattr(self.number, "instance_arn", "")
        invocation_attributes = parameters.get("LambdaInvocationAttributes") or {}
        return {
            "Details": {
                "ContactData": {
                    "Attributes": dict(self.attributes),
                    "Channel": "VOICE",
                    "ContactId": self.contact_id,
                    "CustomerEndpoint": {"Address": self.caller, "Type": "TELEPHONE_NUMBER"},
                    "InitialContactId": self.contact_id,
                    "InitiationMethod": "INBOUND",
                    "InstanceARN": instance_arn,
                    "PreviousContactId": self.contact_id,
                    "Queue": None,
                    "SystemEndpoint": {"Address": self.callee, "Type": "TELEPHONE_NUMBER"},
                },
                "Parameters": {str(k): self._value(v) for k, v in invocation_attributes.items()},
            },
            "Name": "ContactFlowEvent",
        }

    def _invoke(self, parameters: dict[str, Any]) -> tuple[str, str | None]:
        arn = self._value(parameters.get("LambdaFunctionARN") or "")
        limit = float(str(parameters.get("InvocationTimeLimitSeconds") or "8"))
        report: dict[str, Any] = {"function": arn, "invocations": [], "error": None, "timeout_s": limit}
        self.lambda_report = report
        try:
            container = LambdaContainer(
                self.calls.sandbox, arn, region_of(arn, self.number.region), caller_timeout_s=limit
            )
        except LambdaUnavailable as missing:
            report["error"] = str(missing)
            return "failed", "NoMatchingError"
        try:
            report.update(function=container.function_name, log_group=container.log_group)
            if self.calls.strict_invoke_permission and not container.allows(CONNECT_PRINCIPAL):
                report["error"] = f"{container.function_name} does not allow {CONNECT_PRINCIPAL} to invoke it"
                return "failed", "NoMatchingError"
            invocation = container.invoke(self._event(parameters))
            report["invocations"] = [invocation.as_dict()]
            validation = (parameters.get("ResponseValidation") or {}).get("ResponseType", "STRING_MAP")
            report["error"] = _invocation_problem(invocation, validation)
            if report["error"]:
                return "failed", "NoMatchingError"
            self.external = dict(invocation.result)
            return "invoked", None
        finally:
            container.close()

    # --- TransferParticipantToThirdParty -------------------------------------------------------
    def _transfer(self, parameters: dict[str, Any]) -> tuple[str, str | None]:
        target = self._value(parameters.get("ThirdPartyPhoneNumber") or "")
        chime = self.calls.sandbox.stand_in("chime") if self.calls.sandbox.has_stand_in("chime") else None
        with self.calls.sandbox.lock:
            chime_number = chime.phone_number(target) if chime is not None else None
        if chime_number is None:
            detail = f"{target} is not a number the sandbox answers (no Chime number): the transfer fails"
            self.transfer = self._leg_answer(404, "Not Found", detail)
            return "failed", "CallFailed"
        leg = ConnectCall(
            self.calls, self.body, caller=self.caller, callee=target, duration_ms=self.duration_ms
        )
        leg.lambda_report["connect"] = self.lambda_report
        self.transfer = leg.run(chime, chime_number)
        status = int(self.transfer["status"])
        if 200 <= status < 300:
            return ("connected" if parameters.get("ContinueFlowExecution") == "True" else "ended"), None
        return "failed", "ConnectionTimeLimitExceeded" if status == NO_ANSWER else "CallFailed"

    # --- the answer -----------------------------------------------------------------------------
    def _leg_answer(self, status: int, reason: str, detail: str) -> dict[str, Any]:
        return {
            "status": status,
            "reason": reason,
            "detail": detail,
            "delivered_headers": {},
            "far_end": "",
            "voice_connector_id": "",
            "request_uri": "",
            "source_ip": "",
            "connector_call_id": "",
            "sip_log_group": None,
            "sip": [],
            "lambda": {"connect": self.lambda_report, "sma": None},
        }

    def finish(self, status: int, reason: str, detail: str) -> dict[str, Any]:
        """The answer of a call that no transfer carried to a far end."""
        return self._with_flow(self._leg_answer(status, reason, detail))

    def _with_flow(self, answer: dict[str, Any]) -> dict[str, Any]:
        answer = dict(answer)
        answer["lambda"] = {**(answer.get("lambda") or {}), "connect": self.lambda_report}
        answer["connect"] = {
            "number": self.callee,
            "instance_id": self.number.instance_id,
            "contact_id": self.contact_id,
            "flow": self.flow_shape or None,
            "steps": self.steps,
            "attributes": self.attributes,
            "said": self.said,
            "not_simulated": self.not_simulated,
        }
        return answer
