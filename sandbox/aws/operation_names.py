"""Name the operation of an AWS request that moto serves, for faults and the ledger.

moto does not tell us which operation it ran, so we work it out the way AWS's
protocols encode it (botocore's service models, loaded from the installed
botocore at run time):
- json protocol (DynamoDB, CloudWatch Logs): the `X-Amz-Target` header's suffix;
- query protocol (IAM, STS): the `Action` form field (or query parameter);
- rest-json / rest-xml (Lambda, Connect): the method and path matched against
  each operation's `http.method` and `http.requestUri` in the model.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from botocore.exceptions import DataNotFoundError, UnknownServiceError
from botocore.loaders import Loader

# Signing names whose botocore service model has another name (AWS.md §1.0 for chime).
_MODEL_NAMES = {"chime": "chime-sdk-voice", "execute-api": "apigateway", "email": "ses"}


@dataclass(frozen=True)
class _RestRoute:
    operation: str
    method: str
    pattern: re.Pattern[str]
    required_query: tuple[tuple[str, str | None], ...]
    literal_chars: int


@dataclass(frozen=True)
class ServiceModel:
    """What the sandbox needs from one botocore service model."""

    name: str
    protocol: str  # "query" | "json" | "rest-json" | "rest-xml" | "ec2"
    operations: frozenset[str]
    rest_routes: tuple[_RestRoute, ...]


@functools.cache
def _loader() -> Loader:
    return Loader()


def _rest_route(name: str, method: str, request_uri: str) -> _RestRoute:
    path, _, query = request_uri.partition("?")
    regex = ""
    literal = 0
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{") and piece.endswith("}"):
            regex += ".+" if piece.endswith("+}") else "[^/]+"
        else:
            regex += re.escape(piece)
            literal += len(piece)
    required: list[tuple[str, str | None]] = []
    for item in filter(None, query.split("&")):
        key, sep, value = item.partition("=")
        required.append((key, value if sep else None))
        literal += len(item)
    return _RestRoute(
        operation=name,
        method=method.upper(),
        pattern=re.compile(f"^{regex.rstrip('/')}/?$"),
        required_query=tuple(required),
        literal_chars=literal,
    )


@functools.cache
def service_model(signing_name: str) -> ServiceModel | None:
    """botocore's model for the service with that signing name, or None when botocore has none."""
    name = _MODEL_NAMES.get(signing_name, signing_name)
    try:
        model = _loader().load_service_model(name, "service-2")
    except (UnknownServiceError, DataNotFoundError):
        return None
    protocol = model["metadata"].get("protocol", "")
    routes = []
    if protocol.startswith("rest"):
        for op_name, op in model["operations"].items():
            http = op.get("http", {})
            if "requestUri" in http:
                routes.append(_rest_route(op_name, http.get("method", "POST"), http["requestUri"]))
    routes.sort(key=lambda r: -r.literal_chars)
    return ServiceModel(
        name=name, protocol=protocol, operations=frozenset(model["operations"]), rest_routes=tuple(routes)
    )


def protocol_of(signing_name: str) -> str:
    """The wire protocol of a service ("query", "json", "rest-json", ...); "rest-json" when unknown."""
    model = service_model(signing_name)
    return model.protocol if model else "rest-json"


def operation_name(
    signing_name: str, *, method: str, path: str, query_string: str, target: str, form: dict[str, list[str]]
) -> str:
    """The AWS operation a request asks for, or "<METHOD> <path>" when it cannot be named."""
    if target:
        return target.rsplit(".", 1)[-1]
    query = parse_qs(query_string, keep_blank_values=True)
    action = (form.get("Action") or query.get("Action") or [""])[0]
    if action:
        return action
    model = service_model(signing_name)
    if model is not None:
        for route in model.rest_routes:
            if route.method != method.upper() or not route.pattern.match(path):
                continue
            if all(
                key in query and (value is None or value in query[key]) for key, value in route.required_query
            ):
                return route.operation
    return f"{method.upper()} {path}"
