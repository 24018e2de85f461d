"""Request body parsers with bounds: DRF's JSON and form parsers read the whole body, whatever its size,
and Python's JSON decoder raises RecursionError (a 500) on deep nesting.

Here a body over `DATA_UPLOAD_MAX_MEMORY_SIZE` (Django's cap on non-file request data, 2.5 MB by
default) is a 413 after reading one byte past the cap, and JSON nested deeper than `MAX_JSON_DEPTH` is
a 400. Multipart bodies keep Django's parser, which already caps form fields by the same setting (and
files by their own upload handlers, e.g. calls.trace_uploads).
"""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.http import QueryDict
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import FormParser, JSONParser, get_encoding
from rest_framework.utils import json as drf_json

#: Nesting of a JSON body. Patchbay's deepest request is an integration's config with a map in it
#: (four levels); 32 leaves room for any future shape and stays far below the decoder's recursion limit.
MAX_JSON_DEPTH = 32


class RequestTooLarge(APIException):
    """A request body over `DATA_UPLOAD_MAX_MEMORY_SIZE`."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def read_bounded(stream: IO[bytes]) -> bytes:
    """The body, or `RequestTooLarge` as soon as it is longer than `DATA_UPLOAD_MAX_MEMORY_SIZE`."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return stream.read()
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise RequestTooLarge(
            f"The request body is larger than {limit:,} bytes (DATA_UPLOAD_MAX_MEMORY_SIZE)."
        )
    return body


def json_depth(value: Any) -> int:
    """How deeply objects and arrays nest in `value` (a scalar is 0), without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        pending.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONParser(JSONParser):
    """JSON with a size cap (413) and a nesting cap (400)."""

    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = get_encoding(parser_context or {})  # text codecs only (no bz2 bombs)
        body = read_bounded(stream)
        try:
            data = drf_json.loads(
                body.decode(encoding), parse_constant=drf_json.strict_constant if self.strict else None
            )
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.") from None
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        return data


class BoundedFormParser(FormParser):
    """`application/x-www-form-urlencoded` with the size cap (Django caps the number of fields)."""

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None
    ) -> QueryDict:
        return QueryDict(read_bounded(stream), encoding=get_encoding(parser_context or {}))
