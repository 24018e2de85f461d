"""A generic rest-json front end driven by botocore's own service model.

Loaded at run time from the installed botocore, so a constraint that a new
botocore adds is enforced without new code. For one service it:

- matches a request to an operation from `http.method` + `http.requestUri`
  (`{param}` = one path segment, `{param+}` = the rest of the path, and the
  static `?operation=put` / `?type=phone-numbers` query parts that AWS uses to
  tell operations on the same path apart, AWS.md §7.1);
- parses the request into the operation's input: URI params percent-decoded,
  querystring params by their `locationName`, headers, JSON body members;
- validates the input (`sandbox.aws.shape_validation`);
- serializes an output dict by the output shape (only modeled members,
  timestamps in the member's `timestampFormat`, header and status-code members)
  with the modeled success code (`http.responseCode`, default 200; 204 has an
  empty body);
- answers errors as botocore parses them: header `x-amzn-ErrorType`, body
  `{"Message": ...}` plus the error shape's own members, and the status of the
  error shape's `error.httpStatusCode` (AWS.md §1.1, §7.3).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import botocore.session
from botocore.model import NoShapeFoundError, OperationModel, ServiceModel, Shape
from werkzeug.wrappers import Request, Response

from sandbox.aws.shape_validation import ShapeValidator, describe_rules

DEFAULT_REGION = "us-east-1"


class AwsError(Exception):
    """An AWS error answer: the modeled exception name, a message and any extra modeled members."""

    def __init__(self, code: str, message: str, **members: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.members = members


@dataclass(frozen=True)
class _UriTemplate:
    """One operation's request URI split into path segments and static query parts."""

    operation: str
    method: str
    segments: tuple[str, ...]
    static_query: tuple[tuple[str, str | None], ...]

    @property
    def literal_count(self) -> int:
        return sum(1 for s in self.segments if not s.startswith("{"))

    def match(self, parts: list[str], query: dict[str, list[str]]) -> dict[str, str] | None:
        """URI params when the path and the static query match, else None."""
        for key, expected in self.static_query:
            if key not in query or (expected is not None and expected not in query[key]):
                return None
        params: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            if segment.startswith("{") and segment.endswith("+}"):
                rest = parts[index:]
                if not rest or rest == [""]:
                    return None
                params[segment[1:-2]] = unquote("/".join(rest))
                return params
            if index >= len(parts):
                return None
            if segment.startswith("{"):
                if parts[index] == "":
                    return None
                params[segment[1:-1]] = unquote(parts[index])
            elif segment != parts[index]:
                return None
        return params if len(parts) == len(self.segments) else None


def _parse_template(operation: OperationModel) -> _UriTemplate:
    uri = operation.http["requestUri"]
    path, _, query = uri.partition("?")
    static: list[tuple[str, str | None]] = []
    for part in filter(None, query.split("&")):
        key, eq, value = part.partition("=")
        static.append((key, value if eq else None))
    segments = tuple(path.strip("/").split("/")) if path.strip("/") else ()
    return _UriTemplate(operation.name, operation.http["method"].upper(), segments, tuple(static))


@dataclass
class MatchedOperation:
    """A request matched to a modeled operation, with its URI params (already percent-decoded)."""

    model: OperationModel
    uri_params: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.model.name


class RestJsonService:
    """botocore's model of one rest-json service, turned into a router, validator and serializer."""

    def __init__(
        self,
        service_name: str,
        validation_error: str = "BadRequestException",
        model: ServiceModel | None = None,
    ) -> None:
        self.service_name = service_name
        #: the installed botocore's model, unless one is given (tests give an edited one)
        self.model: ServiceModel = model or botocore.session.get_session().get_service_model(service_name)
        if self.model.metadata.get("protocol") != "rest-json":
            raise ValueError(f"{service_name} is not a rest-json service")
        #: the exception name AWS answers for a constraint violation in this service
        self.validation_error = validation_error
        self._validator = ShapeValidator()
        self._templates = [_parse_template(self.model.operation_model(n)) for n in self.model.operation_names]

    # -- routing -------------------------------------------------------------

    def match(self, request: Request, path: str) -> MatchedOperation | None:
        """The modeled operation this request calls, or None when no operation fits."""
        raw_path = (request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or "").split("?")[0]
        # The raw path keeps %2F inside one segment apart from a real "/"; without it
        # (some WSGI servers) the already-decoded path is split as it is.
        parts = (raw_path or _quote_for_split(path)).strip("/").split("/")
        parts = [] if parts == [""] else parts
        query = {key: request.args.getlist(key) for key in request.args}
        best: tuple[tuple[int, int], _UriTemplate, dict[str, str]] | None = None
        for template in self._templates:
            if template.method != request.method.upper():
                continue
            params = template.match(parts, query)
            if params is None:
                continue
            rank = (len(template.static_query), template.literal_count)
            if best is None or rank > best[0]:
                best = (rank, template, params)
        if best is None:
            return None
        return MatchedOperation(self.model.operation_model(best[1].operation), best[2])

    # -- input ---------------------------------------------------------------

    def parse_input(self, matched: MatchedOperation, request: Request) -> dict[str, Any]:
        """The operation's input from URI, querystring, headers and JSON body; raises AwsError on bad JSON."""
        shape = matched.model.input_shape
        if shape is None:
            return {}
        body = self._json_body(request, shape)
        params: dict[str, Any] = {}
        bound_query = {
            m.serialization.get("name", n)
            for n, m in shape.members.items()
            if m.serialization.get("location") == "querystring"
        }
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "uri":
                if wire in matched.uri_params:
                    params[name] = _coerce(member, matched.uri_params[wire])
            elif location == "querystring":
                if member.type_name == "map":
                    rest = {k: request.args.get(k, "") for k in request.args if k not in bound_query}
                    if rest:
                        params[name] = rest
                elif member.type_name == "list":
                    if wire in request.args:
                        params[name] = [_coerce(member.member, v) for v in request.args.getlist(wire)]
                elif wire in request.args:
                    params[name] = _coerce(member, request.args[wire])
            elif location == "header":
                if wire in request.headers:
                    params[name] = _coerce(member, request.headers[wire])
            elif location == "headers":
                prefix = wire.lower()
                found = {
                    k[len(prefix) :]: v for k, v in request.headers.items() if k.lower().startswith(prefix)
                }
                if found:
                    params[name] = found
            elif member.serialization.get("payload"):
                params[name] = body
            elif isinstance(body, dict) and wire in body:
                params[name] = body[wire]
        return params

    def _json_body(self, request: Request, shape: Shape) -> Any:
        raw = request.get_data(cache=True)
        payload = shape.serialization.get("payload")
        if payload and shape.members[payload].type_name in ("blob", "string"):
            return raw.decode("utf-8", errors="replace")
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise AwsError(self.validation_error, "Could not parse the request body as JSON") from exc

    def violations(self, matched: MatchedOperation, params: dict[str, Any]) -> list[str]:
        """Every model constraint the input breaks."""
        return self._validator.violations(matched.model, params)

    def validation_failure(self, violations: list[str]) -> AwsError:
        """The error AWS answers for these violations ("N validation errors detected: ...")."""
        count = len(violations)
        noun = "error" if count == 1 else "errors"
        return AwsError(
            self.validation_error, f"{count} validation {noun} detected: " + "; ".join(violations)
        )

    # -- output --------------------------------------------------------------

    def respond(self, operation: OperationModel, output: dict[str, Any] | None) -> Response:
        """The success answer: modeled status code, headers and JSON body of the output shape."""
        status = int(operation.http.get("responseCode", 200))
        headers = {"x-amzn-RequestId": str(uuid.uuid4())}
        shape = operation.output_shape
        output = output or {}
        body: Any = {}
        if shape is not None:
            payload_member = shape.serialization.get("payload")
            for name, member in shape.members.items():
                value = output.get(name)
                if value is None:
                    continue
                location = member.serialization.get("location")
                wire = member.serialization.get("name", name)
                if location == "statusCode":
                    status = int(value)
                elif location == "header":
                    headers[wire] = _header_text(member, value)
                elif location == "headers":
                    headers.update({f"{wire}{k}": str(v) for k, v in value.items()})
                elif name == payload_member:
                    body = self.serialize(member, value)
            if payload_member is None:
                body = self.serialize(shape, {k: v for k, v in output.items() if _in_body(shape, k)})
        if status == 204:
            return Response(b"", status=204, headers=headers)
        return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")

    def serialize(self, shape: Shape, value: Any) -> Any:
        """A value as the JSON of its shape: modeled members only, by their wire names."""
        kind = shape.type_name
        if kind == "structure":
            out = {}
            for name, member in shape.members.items():
                if isinstance(value, dict) and value.get(name) is not None:
                    out[member.serialization.get("name", name)] = self.serialize(member, value[name])
            return out
        if kind == "list":
            return [self.serialize(shape.member, item) for item in value]
        if kind == "map":
            return {str(k): self.serialize(shape.value, v) for k, v in value.items()}
        if kind == "timestamp":
            return _timestamp(value, shape.serialization.get("timestampFormat", "unixtimestamp"))
        if kind == "blob" and isinstance(value, bytes):
            return base64.b64encode(value).decode()
        return value

    def error(self, code: str, message: str, status: int | None = None, **members: Any) -> Response:
        """An error answer botocore maps to `client.exceptions.<code>`."""
        body: dict[str, Any] = {"Message": message}
        try:
            shape: Shape | None = self.model.shape_for(code)
        except NoShapeFoundError:
            shape = None  # e.g. an injected fault naming a code this service does not model
        if shape is not None:
            status = status or int(shape.metadata.get("error", {}).get("httpStatusCode", 400))
            body.update(self.serialize(shape, {k: v for k, v in members.items() if k != "Message"}))
        headers = {"x-amzn-ErrorType": code, "x-amzn-RequestId": str(uuid.uuid4())}
        return Response(
            json.dumps(body), status=status or 400, headers=headers, content_type="application/json"
        )

    # -- introspection -------------------------------------------------------

    def rules_for(self, operations: list[str]) -> list[str]:
        """One line per model constraint enforced on the input of these operations."""
        lines: list[str] = []
        for name in operations:
            lines.extend(describe_rules(self.model.operation_model(name), self.service_name))
        return lines


def _coerce(shape: Shape, text: str) -> Any:
    """A URI/query/header string as the member's modeled type (left as text when it does not parse)."""
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            return text
    if kind in ("float", "double"):
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text.lower(), text)
    return text


def _quote_for_split(path: str) -> str:
    # A decoded path has no %-escapes left; re-escape "%" so unquote() per segment is a no-op.
    return path.replace("%", "%25")


def _in_body(shape: Shape, name: str) -> bool:
    member = shape.members.get(name)
    return member is not None and member.serialization.get("location") is None


def _header_text(shape: Shape, value: Any) -> str:
    if shape.type_name == "timestamp":
        return str(_timestamp(value, shape.serialization.get("timestampFormat", "rfc822")))
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _timestamp(value: Any, fmt: str) -> Any:
    """A datetime (or epoch seconds) in the modeled timestampFormat."""
    when = value
    if isinstance(value, int | float):
        when = dt.datetime.fromtimestamp(value, dt.UTC)
    if isinstance(value, str):
        return value
    when = when.astimezone(dt.UTC)
    if fmt == "iso8601":
        # AWS writes milliseconds and a Z, e.g. 2019-09-18T20:34:01.352Z (AWS.md §1.2)
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    if fmt == "rfc822":
        return when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return round(when.timestamp(), 3)


def decode_next_token(token: str | None) -> int:
    """The list offset an opaque NextToken stands for; raises ValueError for a token we never issued."""
    if not token:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError("invalid NextToken") from exc
    if offset < 0:
        raise ValueError("invalid NextToken")
    return offset


def paginate(
    items: list[Any], max_results: int | None, next_token: str | None, default_max: int
) -> tuple[list[Any], str | None]:
    """One page of items and the NextToken of the next page (None on the last page)."""
    start = decode_next_token(next_token)
    size = max_results or default_max
    page = items[start : start + size]
    following = start + size
    token = (
        base64.urlsafe_b64encode(f"offset:{following}".encode()).decode() if following < len(items) else None
    )
    return page, token
