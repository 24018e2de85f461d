"""YAML for declarations (issue 17, item 4): a bounded parser for `declare` and a renderer for `export`.

YAML is what teams keep in git, but a YAML body can ask for far more work than its size suggests:
aliases expand one node many times over ("billion laughs") and tags build arbitrary objects. So the
parser uses `yaml.SafeLoader` (plain data only), refuses aliases, caps the body at
`MAX_DECLARATION_BYTES` and the stream at `MAX_DOCUMENTS` documents, and accepts only what JSON
could have said (no dates, binary or non-string keys), so the rest of the API sees the same data
either way.
"""

from __future__ import annotations

import datetime
from typing import IO, Any

import yaml
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, get_encoding
from rest_framework.renderers import BaseRenderer

from integrations.declarations import MAX_DECLARATIONS
from tenants.api.parsers import MAX_JSON_DEPTH, RequestTooLarge, json_depth

#: A declaration of the largest kind is well under 2 KB; 50 of them with comments fit in 256 KB.
MAX_DECLARATION_BYTES = 256 * 1024
#: Documents in one YAML stream (`---` separated); each holds a declaration or a list of them.
MAX_DOCUMENTS = MAX_DECLARATIONS
YAML_MEDIA_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (`*name`, and so `<<` merges) instead of expanding them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted in a declaration", event.start_mark
            )
        return super().compose_node(parent, index)


def _check_plain(value: Any) -> None:
    """Only JSON's types (objects with string keys, arrays, strings, numbers, booleans, null)."""
    pending: list[tuple[Any, str]] = [(value, "")]
    while pending:
        item, path = pending.pop()
        where = f" at {path}" if path else ""
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise ParseError(f"YAML parse error - keys must be strings; quote {key!r}{where}.")
                pending.append((child, f"{path}.{key}" if path else key))
        elif isinstance(item, list):
            pending.extend((child, f"{path}.{i}" if path else str(i)) for i, child in enumerate(item))
        elif isinstance(item, datetime.date | bytes | set):
            raise ParseError(
                f"YAML parse error - quote the value{where}: {type(item).__name__} is not accepted."
            )
        elif item is not None and not isinstance(item, str | int | float | bool):
            raise ParseError(f"YAML parse error - unsupported value{where}.")


def load_declarations(text: str) -> list[Any]:
    """The declarations of a YAML stream: each document one declaration or a list of them."""
    items: list[Any] = []
    try:
        for count, document in enumerate(yaml.load_all(text, Loader=_NoAliasLoader), start=1):
            if count > MAX_DOCUMENTS:
                raise ParseError(f"YAML parse error - more than {MAX_DOCUMENTS} documents.")
            if document is None:
                continue  # an empty document (a trailing `---`)
            if json_depth(document) > MAX_JSON_DEPTH:
                raise ParseError(f"YAML parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
            _check_plain(document)
            items.extend(document if isinstance(document, list) else [document])
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ParseError(f"YAML parse error - {problem}{where}") from None
    except RecursionError:
        raise ParseError(f"YAML parse error - nested deeper than {MAX_JSON_DEPTH} levels.") from None
    return items


class DeclarationYAMLParser(BaseParser):
    """`application/yaml` bodies of `declare`: a list of declarations, however many documents held them."""

    media_type = "application/yaml"

    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        body = stream.read(MAX_DECLARATION_BYTES + 1)
        if len(body) > MAX_DECLARATION_BYTES:
            raise RequestTooLarge(f"A declaration body is at most {MAX_DECLARATION_BYTES:,} bytes.")
        try:
            text = body.decode(get_encoding(parser_context or {}))
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(f"YAML parse error - {error}") from None
        return load_declarations(text)


class XYAMLParser(DeclarationYAMLParser):
    """The same, sent as `application/x-yaml`."""

    media_type = "application/x-yaml"


class TextYAMLParser(DeclarationYAMLParser):
    """The same, sent as `text/yaml`."""

    media_type = "text/yaml"


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes str subclasses (choice values) as the plain strings they are."""


_Dumper.add_multi_representer(str, yaml.SafeDumper.represent_str)


class YAMLRenderer(BaseRenderer):
    """A declaration as YAML, keys in the create body's order; strings that YAML would read as
    something else (`+15035550100`, `0503`, `yes`) are quoted by `safe_dump`."""

    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        return yaml.dump(
            data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False
        ).encode()
