"""Blueprints by integration kind: the resource graph each kind needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from integrations.blueprints.connect_synthflow import BLUEPRINT as CONNECT_SYNTHFLOW
from integrations.blueprints.connect_vapi import BLUEPRINT as CONNECT_VAPI
from integrations.blueprints.genesys_synthflow import BLUEPRINT as GENESYS_SYNTHFLOW
from integrations.blueprints.twilio_synthflow import BLUEPRINT as TWILIO_SYNTHFLOW
from integrations.engine.blueprint import Blueprint

BLUEPRINTS: dict[str, Blueprint] = {
    CONNECT_VAPI.kind: CONNECT_VAPI,
    GENESYS_SYNTHFLOW.kind: GENESYS_SYNTHFLOW,
    CONNECT_SYNTHFLOW.kind: CONNECT_SYNTHFLOW,
    TWILIO_SYNTHFLOW.kind: TWILIO_SYNTHFLOW,
}


def get_blueprint(kind: str, config: Mapping[str, Any] | None = None) -> Blueprint:
    """The blueprint of an integration kind; given the integration's config, only the nodes it needs."""
    try:
        blueprint = BLUEPRINTS[kind]
    except KeyError:
        raise LookupError(f"no blueprint for integration kind {kind!r} yet") from None
    return blueprint if config is None else blueprint.for_config(config)
