"""The OpenAPI document Patchbay serves, as the fuzz and schema tests read it (moved out of test_api_fuzz.py,
which test_api_schema.py imported: that import ran the fuzzer's module-level schema set-up)."""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer


def served_schema() -> dict[str, Any]:
    """The document /api/schema/ serves: drf-spectacular's generator, rendered as JSON (the schema is
    built at collection, before a test database exists to hold a token; test_api_schema.py checks that
    the view serves the same document)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))
