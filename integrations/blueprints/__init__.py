"""Blueprints by integration kind: the resource graph each kind needs."""

from __future__ import annotations

from integrations.blueprints.connect_vapi import BLUEPRINT as CONNECT_VAPI
from integrations.engine.blueprint import Blueprint

BLUEPRINTS: dict[str, Blueprint] = {CONNECT_VAPI.kind: CONNECT_VAPI}


def get_blueprint(kind: str) -> Blueprint:
    """The blueprint of an integration kind."""
    try:
        return BLUEPRINTS[kind]
    except KeyError:
        raise LookupError(f"no blueprint for integration kind {kind!r} yet") from None
