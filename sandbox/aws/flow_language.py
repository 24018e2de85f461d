"""Validation of Amazon Connect flow-language content (the `Content` string of a contact flow).

What is checked, and where it comes from (AWS.md §4.2, the Connect API
reference's flow-language pages and the example flows it cites):

- the content is a JSON object of `Version` "2019-10-30", a `StartAction`
  naming an existing action, an optional `Metadata` object and a non-empty
  `Actions` list of at most 250 actions, and nothing else ("Example flow in
  Amazon Connect Flow language": the four top-level fields; "A single Flow may
  have no more than 250 Actions defined");
- every action has a unique `Identifier` of at most 50 characters without
  any of `% : ( \\ / ) = $ , ; [ ] { }` and not one of the reserved strings
  (`__proto__`, `constructor`, ...; "Actions in the Amazon Connect Flow
  Language"), a known `Type`, a `Parameters` object and a `Transitions` object;
- the Parameters each checked type needs (UpdateContactAttributes,
  InvokeLambdaFunction, TransferParticipantToThirdParty, MessageParticipant,
  DisconnectParticipant), including that an invoked Lambda is associated with
  the instance;
- every `NextAction` (plain, in `Errors` and in `Conditions`) names an
  existing action, and each error transition's `ErrorType` is one the action
  can raise.
Connect answers all problems at once in an InvalidContactFlowException.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

FLOW_VERSION = "2019-10-30"
MAX_IDENTIFIER = 50
MAX_ACTIONS = 250
#: the top-level fields of a flow (flow-language example page); anything else is refused
TOP_LEVEL_KEYS = ("Version", "StartAction", "Metadata", "Actions")
_FORBIDDEN_IN_IDENTIFIER = set("%:(\\/)=$,;[]{}")
#: strings the flow-language actions page does not allow as an Identifier
RESERVED_IDENTIFIERS = frozenset(
    {
        "__proto__",
        "constructor",
        "__defineGetter__",
        "__defineSetter__",
        "toString",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "valueOf",
    }
)
_E164 = re.compile(r"\+[1-9]\d{1,14}")
_LAMBDA_ARN = re.compile(
    r"arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9-_]+(:[a-zA-Z0-9-_$]+)?"
)
_DTMF = re.compile(r"[0-9,*#]{1,50}")

#: the key the deployed example flow uses for the transfer timeout (AWS.md §4.2)
TIMEOUT_KEY_DEPLOYED = "ThirdPartyConnectionTimeLimitSeconds"
#: the key the API reference page spells (UNCONFIRMED which one CreateContactFlow accepts)
TIMEOUT_KEY_DOCUMENTED = "ThirdPartyConnectionTimeoutSeconds"

#: error types each checked action can transition on (flow-language reference pages)
ERROR_TYPES: dict[str, frozenset[str]] = {
    "UpdateContactAttributes": frozenset({"NoMatchingError"}),
    "InvokeLambdaFunction": frozenset({"NoMatchingError"}),
    "TransferParticipantToThirdParty": frozenset(
        {"CallFailed", "ConnectionTimeLimitExceeded", "NoMatchingError"}
    ),
    "MessageParticipant": frozenset({"NoMatchingError"}),
    "DisconnectParticipant": frozenset(),
}

#: other action types of the flow language, accepted without parameter checks
OTHER_KNOWN_TYPES = frozenset(
    {
        "CheckHoursOfOperation",
        "CheckMetricData",
        "Compare",
        "ConnectParticipantWithLexBot",
        "CreateTask",
        "DistributeByPercentage",
        "EndFlowExecution",
        "GetParticipantInput",
        "InvokeFlowModule",
        "MessageParticipantIteratively",
        "TransferContactToQueue",
        "TransferToFlow",
        "UpdateContactCallbackNumber",
        "UpdateContactData",
        "UpdateContactEventHooks",
        "UpdateContactRecordingBehavior",
        "UpdateContactRoutingBehavior",
        "UpdateContactTargetQueue",
        "UpdateContactTextToSpeechVoice",
        "UpdateFlowLoggingBehavior",
        "Wait",
    }
)

RULES = [
    "Content: JSON with Version 2019-10-30, StartAction naming an action, non-empty Actions [AWS.md §4.2]",
    "Content: only Version, StartAction, Metadata (an object) and Actions (at most 250) at the top level"
    " [Connect flow-language example page]",
    "Action Identifier: unique, ≤50 chars, none of % : ( \\ / ) = $ , ; [ ] { }, not __proto__,"
    " constructor, toString, ... [Connect flow-language actions page]",
    "Action Type: a flow-language action type (unknown types refused while strict_flow_action_types)"
    " [Connect flow-language reference]",
    "Every NextAction (plain, Errors, Conditions) names an existing action [AWS.md §4.2]",
    "Errors[].ErrorType: one the action raises (Transfer: CallFailed, ConnectionTimeLimitExceeded,"
    " NoMatchingError; others NoMatchingError) [AWS.md §4.2]",
    "UpdateContactAttributes: Attributes is a non-empty map of strings [AWS.md §4.2]",
    "InvokeLambdaFunction: LambdaFunctionARN is a Lambda ARN associated with the instance"
    " [AWS.md §4.1, §4.2]",
    "InvokeLambdaFunction: InvocationTimeLimitSeconds static, 1 to 8 [AWS.md §4.2]",
    "TransferParticipantToThirdParty: ThirdPartyPhoneNumber E.164 unless dynamic ($.) [AWS.md §4.2]",
    "TransferParticipantToThirdParty: timeout in ThirdPartyConnectionTimeLimitSeconds (0 to 600);"
    " ThirdPartyConnectionTimeoutSeconds refused unless accept_documented_timeout_key"
    " [AWS.md §4.2, UNCONFIRMED]",
    "TransferParticipantToThirdParty: ThirdPartyDTMFDigits ≤50 of 0-9 , * # [AWS.md §4.2]",
    "MessageParticipant: one of Text, SSML, PromptId, Media [AWS.md §4.2]",
    "DisconnectParticipant: a terminal action, no NextAction [AWS.md §4.2]",
]


@dataclass
class FlowContext:
    """What the content is checked against: the instance's Lambdas and the switchable rules."""

    associated_lambdas: set[str] = field(default_factory=set)
    accept_documented_timeout_key: bool = True
    strict_action_types: bool = True


def flow_problems(content: str, context: FlowContext) -> list[str]:
    """Every problem Connect would report for this content (empty when it is valid)."""
    try:
        flow = json.loads(content)
    except ValueError:
        return ["Content is not valid JSON."]
    if not isinstance(flow, dict):
        return ["Content must be a JSON object."]
    problems: list[str] = []
    if flow.get("Version") != FLOW_VERSION:
        problems.append(f"Version must be '{FLOW_VERSION}'.")
    for key in flow:
        if key not in TOP_LEVEL_KEYS:
            problems.append(f"Unknown top-level field '{key}': a flow has only {', '.join(TOP_LEVEL_KEYS)}.")
    if "Metadata" in flow and not isinstance(flow["Metadata"], dict):
        problems.append("Metadata must be an object.")
    actions = flow.get("Actions")
    if not isinstance(actions, list) or not actions:
        return [*problems, "Actions must be a non-empty list."]
    if len(actions) > MAX_ACTIONS:
        problems.append(f"A flow has at most {MAX_ACTIONS} actions.")
    identifiers: list[str] = []
    for index, action in enumerate(actions, start=1):
        if not isinstance(action, dict):
            problems.append(f"Action {index} must be an object.")
            continue
        identifier = action.get("Identifier")
        problems += _identifier_problems(identifier, index, identifiers)
        if isinstance(identifier, str):
            identifiers.append(identifier)
    known = set(identifiers)
    start = flow.get("StartAction")
    if not isinstance(start, str) or start not in known:
        problems.append("StartAction must name an action of the flow.")
    for action in actions:
        if isinstance(action, dict):
            problems += _action_problems(action, known, context)
    return problems


def _identifier_problems(identifier: Any, index: int, seen: list[str]) -> list[str]:
    if not isinstance(identifier, str) or not identifier:
        return [f"Action {index} has no Identifier."]
    problems = []
    if len(identifier) > MAX_IDENTIFIER:
        problems.append(f"Identifier '{identifier[:20]}…' is longer than {MAX_IDENTIFIER} characters.")
    if _FORBIDDEN_IN_IDENTIFIER & set(identifier):
        problems.append(
            f"Identifier '{identifier}' contains a forbidden character (% : ( \\ / ) = $ , ; [ ] {{ }})."
        )
    if identifier in RESERVED_IDENTIFIERS:
        problems.append(f"Identifier '{identifier}' is a reserved string.")
    if identifier in seen:
        problems.append(f"Identifier '{identifier}' is used by more than one action.")
    return problems


def _action_problems(action: dict[str, Any], known: set[str], context: FlowContext) -> list[str]:
    name = action.get("Identifier", "?")
    kind = action.get("Type")
    parameters = action.get("Parameters")
    transitions = action.get("Transitions")
    problems: list[str] = []
    if not isinstance(parameters, dict):
        problems.append(f"Action '{name}': Parameters must be an object.")
        parameters = {}
    if not isinstance(transitions, dict):
        problems.append(f"Action '{name}': Transitions must be an object.")
        transitions = {}
    if kind in ERROR_TYPES:
        problems += [f"Action '{name}' ({kind}): {p}" for p in _PARAMETER_CHECKS[kind](parameters, context)]
    elif kind not in OTHER_KNOWN_TYPES and context.strict_action_types:
        problems.append(f"Action '{name}': unsupported action type {kind!r}.")
    problems += _transition_problems(name, kind, transitions, known)
    return problems


def _transition_problems(name: str, kind: Any, transitions: dict[str, Any], known: set[str]) -> list[str]:
    problems = []
    next_action = transitions.get("NextAction")
    if next_action is not None and next_action not in known:
        problems.append(f"Action '{name}': NextAction '{next_action}' does not exist.")
    if kind == "DisconnectParticipant" and (next_action or transitions.get("Errors")):
        problems.append(f"Action '{name}': DisconnectParticipant ends the flow and takes no transitions.")
    errors = transitions.get("Errors", [])
    if not isinstance(errors, list):
        return [*problems, f"Action '{name}': Transitions.Errors must be a list."]
    for error in errors:
        if not isinstance(error, dict):
            problems.append(f"Action '{name}': each error transition must be an object.")
            continue
        if error.get("NextAction") not in known:
            problems.append(f"Action '{name}': error NextAction '{error.get('NextAction')}' does not exist.")
        allowed = ERROR_TYPES.get(kind)
        if allowed is not None and error.get("ErrorType") not in allowed:
            problems.append(f"Action '{name}': ErrorType '{error.get('ErrorType')}' is not valid for {kind}.")
    for condition in transitions.get("Conditions", []) or []:
        target = condition.get("NextAction") if isinstance(condition, dict) else None
        if target not in known:
            problems.append(f"Action '{name}': condition NextAction '{target}' does not exist.")
    return problems


def _update_attributes(parameters: dict[str, Any], context: FlowContext) -> list[str]:
    attributes = parameters.get("Attributes")
    if not isinstance(attributes, dict) or not attributes:
        return ["Attributes must be a non-empty object."]
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()):
        return ["Attribute values must be strings."]
    return []


def _invoke_lambda(parameters: dict[str, Any], context: FlowContext) -> list[str]:
    problems = []
    arn = parameters.get("LambdaFunctionARN")
    if not isinstance(arn, str) or not arn:
        problems.append("LambdaFunctionARN is required.")
    elif not arn.startswith("$."):
        if not _LAMBDA_ARN.fullmatch(arn):
            problems.append("LambdaFunctionARN is not a Lambda function ARN.")
        elif arn not in context.associated_lambdas:
            problems.append("the Lambda function is not associated with the instance.")
    limit = parameters.get("InvocationTimeLimitSeconds")
    if not _whole_number_in(limit, 1, 8):
        problems.append("InvocationTimeLimitSeconds must be a static number from 1 to 8.")
    validation = parameters.get("ResponseValidation")
    if validation is not None and (
        not isinstance(validation, dict) or validation.get("ResponseType") not in ("STRING_MAP", "JSON")
    ):
        problems.append("ResponseValidation.ResponseType must be STRING_MAP or JSON.")
    return problems


def _transfer(parameters: dict[str, Any], context: FlowContext) -> list[str]:
    problems = []
    number = parameters.get("ThirdPartyPhoneNumber")
    if parameters.get("VoiceConnector") is None and not (
        isinstance(number, str) and (number.startswith("$.") or _E164.fullmatch(number))
    ):
        problems.append("ThirdPartyPhoneNumber must be an E.164 number or a dynamic $. reference.")
    keys = [k for k in (TIMEOUT_KEY_DEPLOYED, TIMEOUT_KEY_DOCUMENTED) if k in parameters]
    if len(keys) > 1:
        problems.append(f"give only one of {TIMEOUT_KEY_DEPLOYED} and {TIMEOUT_KEY_DOCUMENTED}.")
    if TIMEOUT_KEY_DOCUMENTED in keys and not context.accept_documented_timeout_key:
        problems.append(f"unknown parameter {TIMEOUT_KEY_DOCUMENTED}; use {TIMEOUT_KEY_DEPLOYED}.")
    for key in keys:
        if not _whole_number_in(parameters[key], 0, 600):
            problems.append(f"{key} must be a number from 0 to 600.")
    if parameters.get("ContinueFlowExecution") not in (None, "True", "False"):
        problems.append("ContinueFlowExecution must be 'True' or 'False'.")
    digits = parameters.get("ThirdPartyDTMFDigits")
    if digits is not None and not (isinstance(digits, str) and _DTMF.fullmatch(digits)):
        problems.append("ThirdPartyDTMFDigits must be at most 50 of 0-9 , * #.")
    return problems


def _message(parameters: dict[str, Any], context: FlowContext) -> list[str]:
    if not any(parameters.get(k) for k in ("Text", "SSML", "PromptId", "Media")):
        return ["give one of Text, SSML, PromptId or Media."]
    return []


def _disconnect(parameters: dict[str, Any], context: FlowContext) -> list[str]:
    return []


_PARAMETER_CHECKS = {
    "UpdateContactAttributes": _update_attributes,
    "InvokeLambdaFunction": _invoke_lambda,
    "TransferParticipantToThirdParty": _transfer,
    "MessageParticipant": _message,
    "DisconnectParticipant": _disconnect,
}


def _whole_number_in(value: Any, low: int, high: int) -> bool:
    """Flow parameters carry numbers as strings ("8"); a `$.` reference is not static."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return isinstance(value, int) and low <= value <= high


# -- what Connect keeps: a flow is rewritten on save ------------------------------------------

#: the editor's layout Connect writes into Metadata (DescribeContactFlow of a saved flow)
ENTRY_POINT = {"x": 40, "y": 40}
_ACTION_SPACING = 240


def as_saved(content: str, *, name: str, description: str, status: str) -> str:
    """The content as Connect keeps it and DescribeContactFlow answers it, from valid content.

    Flows Connect answers (DescribeContactFlow of a published flow, as public
    samples show them) differ from what was sent: compact JSON; `Metadata`
    holding the flow editor's own data (`entryPointPosition`, `ActionMetadata`
    with a position per action, `Annotations`, `name`, `description`, `type`,
    `status`, `hash`); each action's keys as Parameters, Identifier, Type,
    Transitions; and a transition with a NextAction carrying `Errors` and
    `Conditions` lists even when empty (the flow-language example). Which
    Metadata keys a client sent survive is not documented: the stricter reading
    is that the editor's metadata replaces them (sandbox/README.md, known
    differences).
    """
    flow = json.loads(content)
    actions = [_saved_action(action) for action in flow["Actions"]]
    metadata = {
        "entryPointPosition": dict(ENTRY_POINT),
        "ActionMetadata": {
            action["Identifier"]: {"position": {"x": ENTRY_POINT["x"] + _ACTION_SPACING * (i + 1), "y": 40}}
            for i, action in enumerate(actions)
        },
        "Annotations": [],
        "name": name,
        "description": description,
        "type": "contactFlow",
        "status": status.lower(),
        "hash": {},
    }
    saved = {"Version": flow["Version"], "StartAction": flow["StartAction"], "Metadata": metadata}
    saved["Actions"] = actions
    return json.dumps(saved, separators=(",", ":"), ensure_ascii=False)


def _saved_action(action: dict[str, Any]) -> dict[str, Any]:
    transitions = dict(action.get("Transitions") or {})
    if "NextAction" in transitions:
        transitions.setdefault("Errors", [])
        transitions.setdefault("Conditions", [])
    return {
        "Parameters": action.get("Parameters") or {},
        "Identifier": action["Identifier"],
        "Type": action["Type"],
        "Transitions": transitions,
    }
