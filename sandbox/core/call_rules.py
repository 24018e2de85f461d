"""How Chime's PSTN audio service judges a SIP media application's answer (AWS.md §3.2, §3.3).

`read_actions` checks the response envelope (an invalid one is
INVALID_LAMBDA_RESPONSE); `check_call_and_bridge` checks one CallAndBridge
action's parameters and returns the problems Chime would report as
ACTION_FAILED with ErrorType `InvalidActionParameter`. `CALL_RULES` lists
every rule the simulated call enforces, for `--describe` and the README.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_ACTIONS = 10
MAX_HEADER_VALUE = 2048
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
# User part of the Request-URI for AWS endpoints: 1-30 of a-z A-Z 0-9 & = + $ / % - _ ! ~ * ( ) .
_URI_USER = re.compile(r"^[a-zA-Z0-9&=+$/%\-_!~*().]{1,30}$")
_NON_X_HEADERS = {"user-to-user", "diversion"}
#: RFC 3261 §25.1 token: what a SIP header name may be made of
_SIP_TOKEN = re.compile(r"^[A-Za-z0-9\-.!%*_+`'~]+$")

CALL_RULES: list[str] = [
    "SMA answer: {SchemaVersion: '1.0', Actions: [...]}, at most 10 actions, each with a Type "
    "(else INVALID_LAMBDA_RESPONSE) — AWS.md §3.2",
    "SMA Lambda must answer within 20 s (or its own timeout if shorter), else the call ends 480 "
    "— AWS.md §3.5",
    "Connect's InvokeLambdaFunction waits at most 8 s and needs a flat string map back (STRING_MAP) "
    "— AWS.md §4.2",
    "Lambda resource policy must allow voiceconnector.chime.amazonaws.com (SMA) / connect.amazonaws.com "
    "(Connect) to invoke, else the call hangs up — AWS.md §1.4 (option calls.strict_invoke_permission)",
    "SIP rule: the dialled number must have an enabled ToPhoneNumber rule whose target SMA exists "
    "— AWS.md §1.5",
    "CallAndBridge: CallerIdNumber required, E.164 — AWS.md §3.3",
    "CallAndBridge: exactly one endpoint; BridgeEndpointType AWS or PSTN — AWS.md §3.3",
    "CallAndBridge AWS endpoint: Arn required and must name an existing Voice Connector — AWS.md §3.3",
    "CallAndBridge AWS endpoint: Uri 1-30 of a-z A-Z 0-9 & = + $ / % - _ ! ~ * ( ) . — AWS.md §3.3",
    "CallAndBridge PSTN endpoint: Uri a valid E.164 number — AWS.md §3.3",
    "CallAndBridge: CallTimeoutSeconds 1-120 — AWS.md §3.3",
    "CallAndBridge SipHeaders: only with an AWS endpoint; keys x-*, User-to-User or Diversion — AWS.md §3.3",
    "CallAndBridge SipHeaders: no X-AMZN* key (case-insensitive) → 'Invalid SIP header(s) provided: X-AMZN' "
    "— AWS.md §3.3",
    "CallAndBridge SipHeaders: string values of at most 2048 characters — AWS.md §3.3",
    "CallAndBridge SipHeaders: names are RFC 3261 tokens (letters, digits, -.!%*_+`'~) — RFC 3261 §25.1",
    "Voice Connector origination: an enabled route is needed to bridge; the lowest Priority wins, ties by "
    "Weight — AWS.md §1.2",
]


@dataclass(frozen=True)
class Bridge:
    """A valid CallAndBridge to an AWS endpoint: what the Voice Connector will INVITE."""

    connector_arn: str
    uri_user: str
    caller_id: str
    headers: dict[str, str]
    timeout_s: int


class InvalidLambdaResponse(ValueError):
    """The answer is not a valid action list (Chime's INVALID_LAMBDA_RESPONSE)."""


def read_actions(answer: Any) -> list[dict[str, Any]]:
    """The action list of an SMA answer; InvalidLambdaResponse when Chime would reject the envelope."""
    if not isinstance(answer, dict):
        raise InvalidLambdaResponse("the response is not a JSON object")
    if answer.get("SchemaVersion") != "1.0":
        raise InvalidLambdaResponse(f"SchemaVersion must be '1.0', got {answer.get('SchemaVersion')!r}")
    actions = answer.get("Actions")
    if not isinstance(actions, list):
        raise InvalidLambdaResponse("Actions must be a list")
    if len(actions) > MAX_ACTIONS:
        raise InvalidLambdaResponse(f"{len(actions)} actions: at most {MAX_ACTIONS} are allowed")
    for action in actions:
        if not isinstance(action, dict) or not isinstance(action.get("Type"), str):
            raise InvalidLambdaResponse("every action needs a Type")
    return actions


def _header_problems(headers: Any, endpoint_type: str) -> list[str]:
    if headers is None:
        return []
    if not isinstance(headers, dict):
        return ["SipHeaders must be an object"]
    if endpoint_type != "AWS":
        return ["SipHeaders are only allowed with the AWS endpoint type"]
    reserved = [name for name in headers if str(name).lower().startswith("x-amzn")]
    if reserved:
        return ["Invalid SIP header(s) provided: X-AMZN"]
    problems = []
    for name, value in headers.items():
        lowered = str(name).lower()
        if not lowered.startswith("x-") and lowered not in _NON_X_HEADERS:
            problems.append(f"Invalid SIP header(s) provided: {name}")
        elif not _SIP_TOKEN.fullmatch(str(name)):
            # A header name is an RFC 3261 token (§25.1): letters, digits and -.!%*_+`'~ ("_" included).
            problems.append(f"Invalid SIP header(s) provided: {name}")
        elif not isinstance(value, str) or len(value) > MAX_HEADER_VALUE:
            problems.append(f"SIP header {name} must be a string of at most {MAX_HEADER_VALUE} characters")
    return problems


def _timeout_problem(value: Any) -> str | None:
    if value is None:
        return None
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return "CallTimeoutSeconds must be a number"
    return None if 1 <= seconds <= 120 else "CallTimeoutSeconds must be between 1 and 120"


def check_call_and_bridge(
    parameters: Any, *, connector_exists: Callable[[str], bool]
) -> tuple[Bridge | None, list[str]]:
    """The bridge a CallAndBridge asks for, or the InvalidActionParameter problems Chime reports."""
    if not isinstance(parameters, dict):
        return None, ["Parameters must be an object"]
    problems: list[str] = []
    caller_id = parameters.get("CallerIdNumber")
    if not isinstance(caller_id, str) or not _E164.match(caller_id):
        problems.append("CallerIdNumber is required and must be an E.164 number")
    endpoints = parameters.get("Endpoints")
    endpoint: dict[str, Any] = {}
    if not isinstance(endpoints, list) or len(endpoints) != 1 or not isinstance(endpoints[0], dict):
        problems.append("Endpoints must hold exactly one endpoint")
    else:
        endpoint = endpoints[0]
    endpoint_type = endpoint.get("BridgeEndpointType")
    uri = endpoint.get("Uri")
    if endpoint and endpoint_type not in ("AWS", "PSTN"):
        problems.append("BridgeEndpointType must be AWS or PSTN")
    if endpoint_type == "AWS":
        arn = endpoint.get("Arn")
        if not isinstance(arn, str) or not arn:
            problems.append("Arn is required for an AWS endpoint")
        elif not connector_exists(arn):
            problems.append(f"Arn {arn} is not an existing Voice Connector")
        if not isinstance(uri, str) or not _URI_USER.match(uri):
            problems.append("Uri must be 1-30 characters of a-z A-Z 0-9 & = + $ / % - _ ! ~ * ( ) .")
    elif endpoint_type == "PSTN" and (not isinstance(uri, str) or not _E164.match(uri)):
        problems.append("Uri must be an E.164 number for a PSTN endpoint")
    timeout_problem = _timeout_problem(parameters.get("CallTimeoutSeconds"))
    if timeout_problem:
        problems.append(timeout_problem)
    problems += _header_problems(parameters.get("SipHeaders"), str(endpoint_type))
    if problems or endpoint_type != "AWS":
        return None, problems
    bridge = Bridge(
        connector_arn=endpoint["Arn"],
        uri_user=str(uri),
        caller_id=str(caller_id),
        headers={str(k): v for k, v in (parameters.get("SipHeaders") or {}).items()},
        timeout_s=int(parameters.get("CallTimeoutSeconds") or 30),
    )
    return bridge, []
