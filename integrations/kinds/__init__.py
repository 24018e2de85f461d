"""The four integration kinds, one module each: config schema (and, with the engine, blueprint).

`get_kind(kind)` returns the module, which has `KIND`, `required_accounts`,
`ConfigSerializer` and `validate_config(data) -> dict`.
"""

from __future__ import annotations

from typing import Any, Protocol

from integrations.choices import IntegrationKind
from integrations.kinds import connect_synthflow, connect_vapi, genesys_synthflow, twilio_synthflow
from integrations.kinds.schema import StrictSerializer


class KindModule(Protocol):
    """What every kind module provides."""

    KIND: IntegrationKind
    required_accounts: tuple[str, ...]
    ConfigSerializer: type[StrictSerializer]

    def validate_config(self, data: object) -> dict[str, Any]: ...


KINDS: dict[str, Any] = {
    IntegrationKind.CONNECT_VAPI: connect_vapi,
    IntegrationKind.CONNECT_SYNTHFLOW: connect_synthflow,
    IntegrationKind.GENESYS_SYNTHFLOW: genesys_synthflow,
    IntegrationKind.TWILIO_SYNTHFLOW: twilio_synthflow,
}


def get_kind(kind: str) -> KindModule:
    """The module of integration kind `kind`; `KeyError` for an unknown kind."""
    return KINDS[kind]
