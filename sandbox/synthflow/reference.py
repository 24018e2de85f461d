"""Synthflow's published API reference, machine-readable: `reference.json` beside this module.

Synthflow ships no SDK, so the rules file transcribed from its OpenAPI and guides
is the vendor's own word the sandbox checks requests against and the conformance
test parses answers with. This module reads it and answers three questions:

- `field_rules(operation)`: the file's request constraints as the sandbox's
  `FieldRule` tables (so `python -m sandbox --describe` lists them with sources);
- `request_problems(operation, query, body)`: what the `FieldRule`s cannot say:
  undocumented fields, `one_of_required`, maps of values, formats beyond E.164;
- `answer_problems(operation, status, body)`: a strict parse of an answer into the
  documented shape: an undocumented field, a missing one (unless `may_omit`), a
  wrong type, enum or format, or an undocumented status fails.
"""

from __future__ import annotations

import json
import re
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sandbox.core.field_rules import FieldRule, FieldType, Format, is_e164

REFERENCE_FILE = Path(__file__).with_name("reference.json")

_TYPES = {t.value: t for t in FieldType}


@cache
def reference() -> dict[str, Any]:
    """The parsed rules file."""
    return json.loads(REFERENCE_FILE.read_text())


def operation(name: str) -> dict[str, Any]:
    """One operation of the file (`GetNumber`, ...)."""
    return reference()["operations"][name]


def resolve(shape: Mapping[str, Any]) -> dict[str, Any]:
    """`shape` with its `$ref` followed and its `extends` merged (the shape's own keys win)."""
    resolved = dict(shape)
    while "$ref" in resolved:
        target = reference()["shapes"][resolved.pop("$ref")]
        resolved = {**target, **resolved}
    if "extends" in resolved:
        base = resolve({"$ref": resolved.pop("extends")})
        resolved = {
            **base,
            **resolved,
            "properties": {**base.get("properties", {}), **resolved.get("properties", {})},
        }
    return resolved


def source_of(name: str) -> str:
    """The page an operation was transcribed from."""
    return str(operation(name)["source"])


# -- requests ---------------------------------------------------------------------------------------


def field_rules(name: str, part: str) -> tuple[FieldRule, ...]:
    """The `body` or `query` constraints of an operation as `FieldRule`s, nested paths included."""
    op = operation(name)
    shape = op.get(part)
    if shape is None:
        return ()
    return tuple(_rules(resolve(shape), "", op["source"]))


def _rules(shape: Mapping[str, Any], prefix: str, source: str) -> Iterable[FieldRule]:
    required = set(shape.get("required", ()))
    for key, raw in shape.get("properties", {}).items():
        field = resolve(raw)
        path = f"{prefix}{key}"
        field_source = field.get("source", source)
        kind = field.get("type", "any")
        if kind != "any":
            items = resolve(field["items"]) if kind == "array" else {}
            item_kind = items.get("type")
            yield FieldRule(
                path,
                _TYPES[kind],
                required=key in required,
                nullable=bool(field.get("nullable")),
                enum=tuple(field.get("enum", items.get("enum", ()))),
                minimum=field.get("minimum"),
                maximum=field.get("maximum"),
                format=Format.E164 if field.get("format") == "e164" else None,
                item_type=_TYPES.get(item_kind or ""),
                source=field_source,
            )
        if kind == "object" and "properties" in field:
            yield from _rules(field, f"{path}.", field_source)
        if kind == "array" and resolve(field["items"]).get("type") == "object":
            yield from _rules(resolve(field["items"]), f"{path}[].", field_source)


def request_problems(name: str, query: Mapping[str, str], body: Any) -> list[str]:
    """Problems `field_rules` does not catch: undocumented fields, one-of groups, maps, formats."""
    op = operation(name)
    problems: list[str] = []
    query_shape = resolve(op.get("query") or {"type": "object", "properties": {}})
    documented = query_shape.get("properties", {})
    problems += [f"query parameter {key} is not documented" for key in query if key not in documented]
    body_shape = op.get("body")
    if body_shape is None:
        if body not in (None, {}):
            problems.append("a body is not documented for this operation")
        return problems
    if isinstance(body, Mapping):
        problems += _request_object(resolve(body_shape), body, "")
    return problems


def _request_object(shape: Mapping[str, Any], data: Mapping[str, Any], prefix: str) -> list[str]:
    problems: list[str] = []
    properties = shape.get("properties", {})
    if "values" in shape:
        return _values(shape, data, prefix, answer=False)
    problems += [f"{prefix}{key} is not a documented field" for key in data if key not in properties]
    groups = shape.get("one_of_required")
    if groups and sum(all(k in data for k in group) for group in groups) != 1:
        names = " or ".join(", ".join(group) for group in groups)
        problems.append(f"exactly one of {names} is required")
    for key, raw in properties.items():
        if key not in data or data[key] is None:
            continue
        field = resolve(raw)
        value, label = data[key], f"{prefix}{key}"
        if field.get("format") not in (None, "e164") and isinstance(value, str):
            problems += _format(field["format"], value, label)
        if field.get("type") == "object" and isinstance(value, Mapping):
            problems += _request_object(field, value, f"{label}.")
        if field.get("type") == "array" and isinstance(value, list):
            items = resolve(field["items"])
            if items.get("type") == "object":
                for index, item in enumerate(value):
                    if isinstance(item, Mapping):
                        problems += _request_object(items, item, f"{label}.{index}.")
    return problems


# -- answers ------------------------------------------------------------------------------------------


def answer_problems(
    name: str, status: int, body: Any, *, unmodelled: Mapping[str, str] | None = None
) -> list[str]:
    """Every way `body` (the answer to `name` with `status`) departs from the documented shape.

    `unmodelled` names documented answer fields (dotted, `[]` for list items) that the
    sandbox leaves out on purpose, each with the reason (sandbox/README.md lists them).
    """
    responses = operation(name)["responses"]
    if str(status) not in responses:
        return [f"{name} does not document status {status} (documented: {', '.join(responses)})"]
    return shape_problems(body, resolve(responses[str(status)]), "answer", frozenset(unmodelled or ()))


def error_problems(status: int, body: Any) -> list[str]:
    """Problems of an error answered before any operation was matched (bad key, unknown path)."""
    errors = reference()["errors"]
    if str(status) not in errors["statuses_everywhere"]:
        return [
            f"status {status} before any operation is not one of {', '.join(errors['statuses_everywhere'])}"
        ]
    return shape_problems(body, resolve(errors["shape"]), "answer", frozenset())


def shape_problems(value: Any, shape: Mapping[str, Any], label: str, unmodelled: frozenset[str]) -> list[str]:
    """A strict parse of an answer value: type, null, enum, format, bounds, then its members."""
    kind = shape.get("type", "any")
    if value is None:
        return [] if shape.get("nullable") or kind == "any" else [f"{label} must not be null"]
    if kind != "any" and not _is(value, kind):
        return [f"{label} must be of type {kind}, got {type(value).__name__}"]
    problems: list[str] = []
    if "enum" in shape and value not in shape["enum"]:
        problems.append(f"{label} {value!r} is not one of {', '.join(shape['enum'])}")
    if "format" in shape and isinstance(value, str):
        problems += _format(shape["format"], value, label)
    if "minimum" in shape and value < shape["minimum"]:
        problems.append(f"{label} is below {shape['minimum']}")
    if "maximum" in shape and value > shape["maximum"]:
        problems.append(f"{label} is above {shape['maximum']}")
    if kind == "array":
        items = resolve(shape["items"])
        for index, item in enumerate(value):
            problems += shape_problems(item, items, f"{label}.{index}", _below(unmodelled, "[]"))
    if kind == "object":
        problems += _answer_object(shape, value, label, unmodelled)
    return problems


def _answer_object(
    shape: Mapping[str, Any], value: Mapping[str, Any], label: str, unmodelled: frozenset[str]
) -> list[str]:
    if "values" in shape:
        return _values(shape, value, f"{label}.", answer=True)
    properties = shape.get("properties", {})
    may_omit = shape.get("may_omit", {})
    problems = [f"{label}.{key} is not documented" for key in value if key not in properties]
    for key, raw in properties.items():
        if key not in value:
            if "*" not in may_omit and key not in may_omit and key not in unmodelled:
                problems.append(f"{label}.{key} is missing")
            continue
        problems += shape_problems(value[key], resolve(raw), f"{label}.{key}", _below(unmodelled, key))
    return problems


def _values(shape: Mapping[str, Any], data: Mapping[str, Any], prefix: str, *, answer: bool) -> list[str]:
    values = resolve(shape["values"])
    problems: list[str] = []
    for key, item in data.items():
        if answer:
            problems += shape_problems(item, values, f"{prefix}{key}", frozenset())
        elif values.get("type", "any") != "any" and not _is(item, values["type"]):
            problems.append(f"{prefix.rstrip('.') or 'the object'} values must be {values['type']}s: {key}")
    return problems


def _below(unmodelled: frozenset[str], key: str) -> frozenset[str]:
    """The unmodelled paths under member `key` (`calls[].name` under `calls` is `[].name`)."""
    found = set()
    for path in unmodelled:
        if path.startswith(f"{key}."):
            found.add(path[len(key) + 1 :])
        elif key == "[]" and path.startswith("[]."):
            found.add(path[3:])
        elif path.startswith(f"{key}[]"):
            found.add(path[len(key) :])
    return frozenset(found)


def _is(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    raise ValueError(f"unknown type {kind!r} in reference.json")


def _format(fmt: str, value: str, label: str) -> list[str]:
    ok = True
    if fmt == "e164":
        ok = is_e164(value)
    elif fmt == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            ok = False
    elif fmt == "date-time":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            ok = False
    elif fmt == "epoch-ms":
        ok = bool(re.fullmatch(r"\d{10,}", value))
    elif fmt == "iana-timezone":
        ok = value in _timezones()
    else:
        raise ValueError(f"unknown format {fmt!r} in reference.json")
    return [] if ok else [f"{label} {value!r} is not a valid {fmt}"]


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())
