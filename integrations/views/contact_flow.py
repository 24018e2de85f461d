"""The contact flow an applied integration created in Amazon Connect, for the pages and the API that show it.

Read from the integration's graph (its applied spec), so it lives here beside its callers rather than
in `integrations.contact_flows`, which the blueprints build their flows with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from integrations.engine.graph import IntegrationGraph
from integrations.engine.types import contains_unknown

if TYPE_CHECKING:
    from integrations.models import Integration


def contact_flow_for(integration: Integration) -> dict[str, Any] | None:
    """The contact flow of an applied integration, as created in Connect (None before apply)."""
    graph = IntegrationGraph(integration, create_rows=False)
    if "contact_flow" not in graph.blueprint.by_name:
        return None
    spec = graph.spec("contact_flow")
    if contains_unknown(spec["content"]):
        return None
    return spec["content"]
