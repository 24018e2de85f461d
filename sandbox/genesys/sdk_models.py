"""Genesys's platform SDK (PyPI `purecloudplatformclientv2`): the reference for request and answer shapes.

Every model class of `PureCloudPlatformClientV2` carries `swagger_types` (attribute → type such as
`str`, `list[DomainEntityRef]`, `dict(str, object)`) and `attribute_map` (attribute → JSON key), and
its enum setters turn a value the SDK does not know into `"outdated_sdk_version"`. `problems()` reads
a JSON value against a type the strict way: an unknown key, a wrong JSON type, an unknown enum value
or a missing required field is a problem. The SDK's Python models do not say which fields are
required; its generated docs do (`build/docs/<Model>.md` of MyPureCloud/platform-client-sdk-python,
fields not marked `[optional]`), transcribed in `REQUIRED`.

`sdk_operation()` asks the SDK itself which path, HTTP method, body type and answer type an API
method has, by calling it with an api client that records instead of sending.

The SDK's package imports every model it has (~4 s), so it is imported on first use only.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
from dataclasses import dataclass
from typing import Any

#: model → JSON keys the SDK's generated docs mark as required (build/docs/<Model>.md, not `[optional]`)
REQUIRED: dict[str, tuple[str, ...]] = {
    "TrunkBase": ("name", "trunkMetabase", "trunkType"),
    "OutboundRouteBase": ("name", "classificationTypes"),
    "OutboundRoute": ("name", "classificationTypes"),
    "NumberPlan": ("name",),
    "Site": ("name", "location"),
}
EDGE_API, TELEPHONY_API = "TelephonyProvidersEdgeApi", "TelephonyApi"
#: operation → the SDK's API method for it: its path, body and answer types are the sandbox's reference
#: (`sdk_operation`; the conformance tests hold every route and answer to them)
SDK_OPERATIONS: dict[str, tuple[str, str]] = {
    "ListTrunkBaseSettings": (EDGE_API, "get_telephony_providers_edges_trunkbasesettings"),
    "CreateTrunkBaseSettings": (EDGE_API, "post_telephony_providers_edges_trunkbasesettings"),
    "GetTrunkBaseSettingsTemplate": (EDGE_API, "get_telephony_providers_edges_trunkbasesettings_template"),
    "GetTrunkBaseSettings": (EDGE_API, "get_telephony_providers_edges_trunkbasesetting"),
    "UpdateTrunkBaseSettings": (EDGE_API, "put_telephony_providers_edges_trunkbasesetting"),
    "DeleteTrunkBaseSettings": (EDGE_API, "delete_telephony_providers_edges_trunkbasesetting"),
    "ListSites": (EDGE_API, "get_telephony_providers_edges_sites"),
    "GetSite": (EDGE_API, "get_telephony_providers_edges_site"),
    "ListOutboundRoutes": (EDGE_API, "get_telephony_providers_edges_site_outboundroutes"),
    "CreateOutboundRoute": (EDGE_API, "post_telephony_providers_edges_site_outboundroutes"),
    "GetOutboundRoute": (EDGE_API, "get_telephony_providers_edges_site_outboundroute"),
    "UpdateOutboundRoute": (EDGE_API, "put_telephony_providers_edges_site_outboundroute"),
    "DeleteOutboundRoute": (EDGE_API, "delete_telephony_providers_edges_site_outboundroute"),
    "GetNumberPlans": (EDGE_API, "get_telephony_providers_edges_site_numberplans"),
    "UpdateNumberPlans": (EDGE_API, "put_telephony_providers_edges_site_numberplans"),
    "SearchSipTraces": (TELEPHONY_API, "get_telephony_siptraces"),
}

#: what an SDK enum setter stores for a value it does not know
OUTDATED = "outdated_sdk_version"
_LIST = re.compile(r"^list\[(.+)\]$")
_DICT = re.compile(r"^dict\(str, (.+)\)$")
_PRIMITIVES: dict[str, type | tuple[type, ...]] = {
    "str": str,
    "int": int,
    "float": (int, float),
    "bool": bool,
}


@functools.cache
def sdk() -> Any:
    """The SDK package (imported once; slow)."""
    import PureCloudPlatformClientV2

    return PureCloudPlatformClientV2


def problems(value: Any, type_name: str, path: str = "") -> list[str]:
    """What keeps `value` (parsed JSON) from being a `type_name` of the SDK, strictly; [] when nothing."""
    where = path or "(body)"
    if value is None:
        return []
    if type_name == "object":
        return []
    if type_name in _PRIMITIVES:
        wanted = _PRIMITIVES[type_name]
        if (isinstance(value, bool) and type_name != "bool") or not isinstance(value, wanted):
            return [f"{where} must be {type_name}, got {type(value).__name__}"]
        return []
    if type_name in ("datetime", "date"):
        parsed = isinstance(value, str) and _instant(value)
        return [] if parsed else [f"{where} must be an ISO-8601 {type_name}"]
    if match := _LIST.match(type_name):
        if not isinstance(value, list):
            return [f"{where} must be a list"]
        return [p for i, item in enumerate(value) for p in problems(item, match.group(1), f"{path}[{i}]")]
    if match := _DICT.match(type_name):
        if not isinstance(value, dict):
            return [f"{where} must be an object"]
        return [p for k, v in value.items() for p in problems(v, match.group(1), f"{path}.{k}")]
    return _model_problems(value, type_name, path)


def _model_problems(value: Any, model: str, path: str) -> list[str]:
    where = path or "(body)"
    cls = getattr(sdk(), model, None)
    if cls is None:
        return [f"{where}: the SDK has no model {model}"]
    if not isinstance(value, dict):
        return [f"{where} must be a {model} object"]
    instance = cls()
    by_key = {key: attr for attr, key in instance.attribute_map.items()}
    found: list[str] = []
    for key, item in value.items():
        at = f"{path}.{key}" if path else key
        attr = by_key.get(key)
        if attr is None:
            found.append(f"{at} is not an attribute of {model}")
            continue
        item_problems = problems(item, instance.swagger_types[attr], at)
        found += item_problems
        if isinstance(item, str) and not item_problems:
            setattr(instance, attr, item)  # an enum setter keeps only the values it knows
            if getattr(instance, attr) == OUTDATED and item != OUTDATED:
                found.append(f"{at} {item!r} is not one of {model}'s values")
    for key in REQUIRED.get(model, ()):
        if value.get(key) is None:
            found.append(f"{f'{path}.{key}' if path else key} is required in {model}")
    return found


def _instant(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class SdkOperation:
    """One API method of the SDK: its HTTP method, path template, body type and answer type."""

    method: str
    path: str
    body: str | None
    answer: str | None


class _Recorder:
    """An SDK api client that records the call instead of sending it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []

    def select_header_accept(self, accepts: list[str]) -> str:
        return accepts[0] if accepts else ""

    def select_header_content_type(self, types: list[str]) -> str:
        return types[0] if types else ""

    def call_api(self, resource_path: str, method: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append((method, resource_path, kwargs.get("response_type")))


@functools.cache
def sdk_operation(api_class: str, method_name: str) -> SdkOperation:
    """What the SDK's `api_class.method_name` sends and expects back (asked of the SDK itself)."""
    recorder = _Recorder()
    api = getattr(sdk(), api_class)(recorder)
    function = getattr(api, method_name)
    signature = inspect.signature(function)
    arguments: dict[str, Any] = {}
    body: str | None = None
    for name, parameter in signature.parameters.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        arguments[name] = [] if name == "body" else "x"
        if name == "body":
            body = _type_name(parameter.annotation)
    function(**arguments)
    method, path, answer = recorder.calls[0]
    return SdkOperation(method=method, path=path, body=body, answer=answer)


def _type_name(annotation: Any) -> str:
    """`'TrunkBase'` or `List['NumberPlan']` as the SDK's own type names (`TrunkBase`, `list[NumberPlan]`)."""
    text = annotation if isinstance(annotation, str) else str(annotation)
    text = text.replace("typing.", "").replace("ForwardRef(", "").replace(")", "").replace("'", "")
    match = re.match(r"^List\[(.+)\]$", text)
    return f"list[{match.group(1)}]" if match else text
