"""Adopting an object found under our deterministic name, and bringing it in line with the spec.

A create that meets "already exists" (our own earlier create whose answer was
lost, or an object of the same name) adopts that object instead of failing;
it may not match the spec yet, so the type's own update is run on the diff.
"""

from __future__ import annotations

from dataclasses import replace

from integrations.engine.types import NodeContext, ResourceType


def with_external_id(ctx: NodeContext, external_id: str) -> NodeContext:
    """The same node context, now knowing the object's external id."""
    return replace(ctx, external_id=external_id)


def converge(rtype: ResourceType, ctx: NodeContext, external_id: str) -> str:
    """Observe the object by id, update it if it differs from the spec, and return its id."""
    known = with_external_id(ctx, external_id)
    seen = rtype.observe(known)
    if seen.exists and seen.diff:
        rtype.update(known, seen.diff)
    return external_id
