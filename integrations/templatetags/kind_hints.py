"""`{% kind_hints integration %}`: what an admin still does by hand for this kind, with the exact values.

Each kind says which rows (its module's `hints`, integrations/kinds/hints.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from integrations.kinds import get_kind

if TYPE_CHECKING:
    from integrations.models import Integration

register = template.Library()


def hints_for(integration: Integration) -> list[tuple[str, str]]:
    """(label, value) rows for the integration's kind; values are exact, ready to paste."""
    return get_kind(integration.kind).hints(integration)


@register.inclusion_tag("integrations/_kind_hints.html")
def kind_hints(integration: Integration) -> dict[str, Any]:
    return {"rows": hints_for(integration), "integration": integration}
