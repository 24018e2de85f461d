"""Validate a parsed AWS request against the constraints of botocore's service model.

AWS (Coral) checks every input member server-side; boto3 checks only `required`
and the `min` of strings, lists and integers (AWS.md §1.1), so the sandbox must
check the rest itself: types, `enum`, `pattern` (a full match, as Coral's Java
`matches()` does), and `min`/`max` of string length, list/map size and numeric
value. Messages use AWS's own wording:
"1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: ...".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import regex
from botocore.model import OperationModel, Shape

#: How Coral prints a sensitive value inside a validation message; secrets never reach a message.
REDACTED = "*** Sensitive Data Redacted ***"

# Smithy → botocore JSON sometimes escapes a backslash twice (connect's PhoneNumber
# is `\\+[1-9]\\d{1,14}$`, which taken literally rejects every real number): a doubled
# backslash before a regex metacharacter or an escape letter is read as a single one.
_OVER_ESCAPED = re.compile(r"\\\\(?=[A-Za-z.+\-*?()\[\]{}^$|/])")

NUMERIC_TYPES = frozenset({"integer", "long", "float", "double"})


@functools.lru_cache(maxsize=2048)
def compile_pattern(pattern: str) -> regex.Pattern[str]:
    """Compile a model pattern with Java's semantics (ASCII `\\d`/`\\w`/`\\s` unless `\\p{..}` is used)."""
    source = _OVER_ESCAPED.sub(r"\\", pattern)
    # Java's \d/\w/\s are ASCII-only while \p{L} is Unicode; the `regex` module (which
    # also understands \p{..} and Java's quantified `$`) can only do one or the other per
    # pattern, so patterns that use Unicode properties keep Unicode classes.
    flags = 0 if ("\\p{" in source or "\\P{" in source) else regex.ASCII
    return regex.compile(source, flags)


def pattern_matches(pattern: str, value: str) -> bool:
    """True when the whole value matches the model pattern (Coral uses Java's full-match `matches()`)."""
    return compile_pattern(pattern).fullmatch(value) is not None


@functools.lru_cache(maxsize=4096)
def _holds_secret(shape: Shape) -> bool:
    """Whether a value of this shape may contain a sensitive member (so it is never echoed)."""
    return _holds_secret_walk(shape, frozenset())


def _holds_secret_walk(shape: Shape, seen: frozenset[str]) -> bool:
    if shape.metadata.get("sensitive"):
        return True
    if shape.name in seen:
        return False
    seen = seen | {shape.name}
    if shape.type_name == "structure":
        return any(_holds_secret_walk(m, seen) for m in shape.members.values())
    if shape.type_name == "list":
        return _holds_secret_walk(shape.member, seen)
    if shape.type_name == "map":
        return _holds_secret_walk(shape.key, seen) or _holds_secret_walk(shape.value, seen)
    return False


def _show(value: Any, shape: Shape) -> str:
    """The value as Coral prints it in a message, redacted when the shape is sensitive."""
    if _holds_secret(shape):
        return f"'{REDACTED}'"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, list):
        return "'[" + ", ".join(str(v) for v in value) + "]'"
    return f"'{value}'"


def _camel(name: str) -> str:
    """Coral names members in lower camel case in its messages ('name', 'targetApplications')."""
    return name[:1].lower() + name[1:]


class ShapeValidator:
    """Checks one operation's input against its model; returns AWS-worded violations."""

    def violations(self, operation: OperationModel, params: dict[str, Any]) -> list[str]:
        """Every constraint the input breaks, each as one AWS-style sentence."""
        if operation.input_shape is None:
            return []
        return list(self._structure(operation.input_shape, params, ""))

    def _structure(self, shape: Shape, value: dict[str, Any], path: str) -> Iterator[str]:
        for name in shape.required_members:
            if value.get(name) is None:
                at = f"{path}.{_camel(name)}" if path else _camel(name)
                yield f"Value null at '{at}' failed to satisfy constraint: Member must not be null"
        if shape.metadata.get("union"):
            present = [k for k, v in value.items() if v is not None and k in shape.members]
            if len(present) != 1:
                yield (
                    f"Value at '{path or shape.name}' failed to satisfy constraint: "
                    f"Union must have exactly one member set, found {len(present)}"
                )
        for name, member in shape.members.items():
            if name not in value or value[name] is None:
                continue
            at = f"{path}.{_camel(name)}" if path else _camel(name)
            yield from self._value(member, value[name], at)

    def _value(self, shape: Shape, value: Any, path: str) -> Iterator[str]:
        kind = shape.type_name
        problem = _type_problem(kind, value)
        if problem:
            yield f"Value {_show(value, shape)} at '{path}' failed to satisfy constraint: {problem}"
            return
        if kind == "structure":
            yield from self._structure(shape, value, path)
            return
        for constraint in _constraint_failures(shape, value):
            yield f"Value {_show(value, shape)} at '{path}' failed to satisfy constraint: {constraint}"
        if kind == "list":
            for index, item in enumerate(value, start=1):
                if item is None:
                    continue
                yield from self._value(shape.member, item, f"{path}.{index}.member")
        elif kind == "map":
            for key, item in value.items():
                for constraint in _constraint_failures(shape.key, key):
                    yield (
                        f"Value {_show(key, shape.key)} at '{path}' failed to satisfy constraint: "
                        f"Map keys must satisfy constraint: [{constraint}]"
                    )
                if item is not None:
                    yield from self._value(shape.value, item, f"{path}.{key}")


def _type_problem(kind: str, value: Any) -> str:
    """'' when the JSON value has the modeled type, else the constraint it breaks."""
    ok = {
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "long": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "double": isinstance(value, int | float) and not isinstance(value, bool),
        "list": isinstance(value, list),
        "map": isinstance(value, dict),
        "structure": isinstance(value, dict),
        # rest-json sends body timestamps as epoch seconds, query/header ones as strings
        "timestamp": isinstance(value, int | float | str) and not isinstance(value, bool),
        "blob": isinstance(value, str | bytes),
    }.get(kind, True)
    return "" if ok else f"Member must be of type {kind}"


def _constraint_failures(shape: Shape, value: Any) -> list[str]:
    """The enum/pattern/min/max constraints of one scalar, list or map value that fail."""
    meta = shape.metadata
    kind = shape.type_name
    failures: list[str] = []
    if kind in NUMERIC_TYPES:
        if "min" in meta and value < meta["min"]:
            failures.append(f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            failures.append(f"Member must have value less than or equal to {meta['max']}")
        return failures
    if kind in ("string", "list", "map", "blob"):
        size = len(value)
        if "min" in meta and size < meta["min"]:
            failures.append(f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and size > meta["max"]:
            failures.append(f"Member must have length less than or equal to {meta['max']}")
    if kind == "string":
        if "enum" in meta and value not in meta["enum"]:
            failures.append("Member must satisfy enum value set: [" + ", ".join(meta["enum"]) + "]")
        if "pattern" in meta and not pattern_matches(meta["pattern"], value):
            failures.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    return failures


def describe_rules(operation: OperationModel, service: str) -> list[str]:
    """One line per constraint the validator enforces on this operation's input, with its source."""
    lines: list[str] = []
    if operation.input_shape is None:
        return lines
    source = f"[botocore:{service}]"

    def walk(shape: Shape, path: str, seen: frozenset[str]) -> None:
        if shape.name in seen:
            return
        seen = seen | {shape.name}
        if shape.type_name == "structure":
            for name in shape.required_members:
                lines.append(f"{operation.name} {path}{name}: required {source}")
            for name, member in shape.members.items():
                walk(member, f"{path}{name}.", seen)
            return
        at = f"{operation.name} {path[:-1]}"
        meta = shape.metadata
        if "enum" in meta:
            lines.append(f"{at}: enum {'|'.join(meta['enum'])} {source}")
        if "pattern" in meta:
            lines.append(f"{at}: pattern {meta['pattern']} {source}")
        if meta.get("min"):
            lines.append(f"{at}: min {meta['min']} {source}")
        if "max" in meta:
            lines.append(f"{at}: max {meta['max']} {source}")
        if shape.type_name == "list":
            walk(shape.member, f"{path[:-1]}[].", seen)
        elif shape.type_name == "map":
            walk(shape.value, f"{path[:-1]}{{}}.", seen)

    walk(operation.input_shape, "", frozenset())
    return lines
