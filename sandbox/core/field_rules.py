"""Declarative field rules for the HTTP vendors' request bodies, query strings and forms.

A stand-in lists one small table of `FieldRule`s per operation; `check` applies it
and `describe` turns each rule into the atomic constraints it enforces, so the
sandbox can list and count every validation rule it knows (`validation_rules()`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

# A DNS host name: dot-separated labels of letters, digits and hyphens (RFC 1123).
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


class FieldType(StrEnum):
    """The JSON type a field must have."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    OBJECT = "object"
    ARRAY = "array"


class Format(StrEnum):
    """A string format checked with a real parser rather than a regex."""

    E164 = "E.164 phone number"
    IPV4 = "IPv4 address"
    HOST = "IPv4 address or host name"
    HOST_PORT = "host or host:port"
    CIDR = "IPv4 network (CIDR)"
    URL = "absolute http(s) URL"


@dataclass(frozen=True)
class Condition:
    """A rule applies only when `test(parent object)` holds; `text` says when, for the docs."""

    text: str
    test: Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class FieldRule:
    """The constraints of one field; `path` is dotted, `[]` walks every item of a list."""

    path: str
    type: FieldType = FieldType.STRING
    required: bool = False
    nullable: bool = False
    enum: tuple[str, ...] = ()
    min_length: int | None = None  # characters of a string, items of an array
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    format: Format | None = None  # of the string, or of each item of an array
    pattern: str | None = None  # of the string, or of each item of an array
    item_type: FieldType | None = None
    when: Condition | None = None
    option: str = ""  # enforced only while the stand-in option of this name is true
    code: str = ""  # the vendor's own error code for a violation, where it has one
    message: str = ""  # the vendor's own wording, where it is documented
    source: str = ""


@dataclass(frozen=True)
class Violation:
    """One failed constraint: the field as the client named it and a human message."""

    field: str
    message: str
    code: str = ""


def describe(rule: FieldRule) -> list[str]:
    """The atomic constraints of a rule, one string each (what `validation_rules()` counts)."""
    atoms: list[str] = []
    if rule.required:
        atoms.append("required")
    atoms.append(f"type {rule.type.value}")
    if rule.item_type:
        atoms.append(f"items of type {rule.item_type.value}")
    if rule.enum:
        atoms.append("one of " + ", ".join(rule.enum))
    if rule.min_length is not None or rule.max_length is not None:
        unit = "items" if rule.type is FieldType.ARRAY else "characters"
        atoms.append(f"{_bounds(rule.min_length, rule.max_length)} {unit}")
    if rule.minimum is not None or rule.maximum is not None:
        atoms.append(f"value {_bounds(rule.minimum, rule.maximum)}")
    if rule.format:
        atoms.append(f"format {rule.format.value}")
    if rule.pattern:
        atoms.append(f"pattern {rule.pattern}")
    suffix = ""
    if rule.when:
        suffix += f" (when {rule.when.text})"
    if rule.option:
        suffix += f" (while option {rule.option} is on)"
    return [atom + suffix for atom in atoms]


def check(
    data: Mapping[str, Any],
    rules: tuple[FieldRule, ...] | list[FieldRule],
    *,
    options: Mapping[str, Any] | None = None,
    from_strings: bool = False,
) -> list[Violation]:
    """Every violation of `rules` in `data`; `from_strings` parses query/form strings first."""
    violations: list[Violation] = []
    for rule in rules:
        if rule.option and not (options or {}).get(rule.option):
            continue
        for parent, key, label in _locations(data, rule.path):
            if rule.when and not rule.when.test(parent):
                continue
            problem = _check_value(rule, parent, key, label, from_strings)
            if problem:
                violations.append(Violation(label, rule.message or problem, rule.code))
    return violations


def coerce(value: Any, field_type: FieldType, *, from_strings: bool) -> tuple[bool, Any]:
    """(ok, value) with `value` parsed from a query/form string when `from_strings` is set."""
    if from_strings and isinstance(value, str):
        if field_type is FieldType.INTEGER and re.fullmatch(r"-?\d+", value.strip()):
            return True, int(value)
        if field_type is FieldType.NUMBER:
            try:
                return True, float(value)
            except ValueError:
                return False, value
        if field_type is FieldType.BOOLEAN and value.lower() in ("true", "false"):
            return True, value.lower() == "true"
    return _has_type(value, field_type), value


def format_problem(value: str, fmt: Format) -> str | None:
    """Why `value` is not in format `fmt`, or None when it is."""
    if fmt is Format.E164:
        return None if is_e164(value) else "must be a valid E.164 phone number (e.g. +14155550100)"
    if fmt is Format.IPV4:
        return None if is_ipv4(value) else "must be an IPv4 address"
    if fmt is Format.HOST:
        return None if is_ipv4(value) or is_host_name(value) else "must be an IPv4 address or a host name"
    if fmt is Format.HOST_PORT:
        host, _, port = value.rpartition(":") if ":" in value else (value, "", "")
        ok_port = not port or (port.isdigit() and 1 <= int(port) <= 65535)
        ok_host = is_ipv4(host) or is_host_name(host)
        return None if ok_port and ok_host else "must be host or host:port with a port 1-65535"
    if fmt is Format.CIDR:
        try:
            ipaddress.IPv4Network(value, strict=False)
        except ValueError:
            return "must be an IPv4 address or network in CIDR notation"
        return None
    if fmt is Format.URL:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value
        return None if ok else "must be an absolute http:// or https:// URL"
    raise ValueError(f"unknown format {fmt}")


def is_e164(value: str) -> bool:
    """True for a valid number written exactly in E.164 (`+` and digits only)."""
    if not re.fullmatch(r"\+[1-9]\d{1,14}", value):
        return False
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)


def is_ipv4(value: str) -> bool:
    """True for a dotted-quad IPv4 address."""
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def is_host_name(value: str) -> bool:
    """True for an RFC 1123 host name that is not a bare number."""
    labels = value.rstrip(".").split(".")
    if len(value) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        return False
    return not labels[-1].isdigit()


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{_num(low)}-{_num(high)}"
    return f">= {_num(low)}" if low is not None else f"<= {_num(high)}"


def _num(value: float | None) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _has_type(value: Any, field_type: FieldType) -> bool:
    if field_type is FieldType.STRING:
        return isinstance(value, str)
    if field_type is FieldType.BOOLEAN:
        return isinstance(value, bool)
    if field_type is FieldType.INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if field_type is FieldType.NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if field_type is FieldType.OBJECT:
        return isinstance(value, dict)
    return isinstance(value, list)


def _locations(data: Mapping[str, Any], path: str) -> Iterator[tuple[Mapping[str, Any], str, str]]:
    """(parent object, key, label) for each place `path` points at in `data`."""
    *parents, last = path.split(".")
    frontier: list[tuple[Any, str]] = [(data, "")]
    for segment in parents:
        many = segment.endswith("[]")
        key = segment.removesuffix("[]")
        following: list[tuple[Any, str]] = []
        for obj, label in frontier:
            if not isinstance(obj, Mapping) or not isinstance(obj.get(key), list | dict):
                continue
            child, child_label = obj[key], f"{label}{key}"
            if many and isinstance(child, list):
                following.extend((item, f"{child_label}.{i}.") for i, item in enumerate(child))
            elif not many and isinstance(child, dict):
                following.append((child, f"{child_label}."))
        frontier = following
    for obj, label in frontier:
        if isinstance(obj, Mapping):
            yield obj, last, f"{label}{last}"


def _check_value(
    rule: FieldRule, parent: Mapping[str, Any], key: str, label: str, from_strings: bool
) -> str | None:
    if key not in parent or parent[key] is None or (from_strings and parent[key] == "" and rule.required):
        if rule.required and not (key in parent and parent[key] is None and rule.nullable):
            return f"{label} is required"
        return None
    ok, value = coerce(parent[key], rule.type, from_strings=from_strings)
    if not ok:
        return f"{label} must be of type {rule.type.value}"
    if rule.type is FieldType.ARRAY:
        return _check_array(rule, value, label)
    if rule.type is FieldType.STRING:
        return _check_string(rule, value, label)
    if rule.enum and str(value) not in rule.enum:
        return f"{label} must be one of the following values: {', '.join(rule.enum)}"
    if rule.minimum is not None and value < rule.minimum:
        return f"{label} must not be less than {_num(rule.minimum)}"
    if rule.maximum is not None and value > rule.maximum:
        return f"{label} must not be greater than {_num(rule.maximum)}"
    return None


def _check_string(rule: FieldRule, value: str, label: str) -> str | None:
    if rule.enum and value not in rule.enum:
        return f"{label} must be one of the following values: {', '.join(rule.enum)}"
    if rule.min_length is not None and len(value) < rule.min_length:
        return f"{label} must be longer than or equal to {rule.min_length} characters"
    if rule.max_length is not None and len(value) > rule.max_length:
        return f"{label} must be shorter than or equal to {rule.max_length} characters"
    if rule.format and (problem := format_problem(value, rule.format)):
        return f"{label} {problem}"
    if rule.pattern and not re.fullmatch(rule.pattern, value):
        return f"{label} must match the pattern {rule.pattern}"
    return None


def _check_array(rule: FieldRule, items: list[Any], label: str) -> str | None:
    if rule.min_length is not None and len(items) < rule.min_length:
        return f"{label} must contain at least {rule.min_length} elements"
    if rule.max_length is not None and len(items) > rule.max_length:
        return f"{label} must contain no more than {rule.max_length} elements"
    for index, item in enumerate(items):
        item_label = f"{label}.{index}"
        if rule.item_type and not _has_type(item, rule.item_type):
            return f"{item_label} must be of type {rule.item_type.value}"
        if isinstance(item, str):
            problem = _check_string(
                FieldRule(item_label, enum=rule.enum, format=rule.format, pattern=rule.pattern),
                item,
                item_label,
            )
            if problem:
                return problem
    return None
