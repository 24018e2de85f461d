"""The four integration kinds, one module each: what the kind is (accounts, path in words, the agent that
answers, contact flow or not, where its calls are logged, the hints for the admin), its config schema and
its graph of vendor objects (`BLUEPRINT`, built in integrations/blueprints/<kind>.py from the kind's own
nodes and the fragments several kinds share). Everything else asks the kind.

`get_kind(kind)` returns the module (`KindModule`); `blueprint_for(kind, config)` its graph for one
config; `kinds_where(...)` the kinds with a capability, for queries over many integrations. A fifth
kind is one module here, its blueprint, and the resource types it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from integrations.choices import AccountKind, CallsLog, IntegrationKind
from integrations.engine.blueprint import Blueprint
from integrations.kinds import connect_synthflow, connect_vapi, genesys_synthflow, twilio_synthflow
from integrations.kinds.schema import StrictSerializer

if TYPE_CHECKING:
    from integrations.models import Integration


class KindModule(Protocol):
    """What every kind module provides."""

    KIND: IntegrationKind
    required_accounts: tuple[str, ...]
    PATH: str
    AGENT: AccountKind
    CONTACT_FLOW: bool
    CALLS_LOG: CallsLog
    CALLS_LOG_NODE: str
    ConfigSerializer: type[StrictSerializer]
    BLUEPRINT: Blueprint

    def validate_config(self, data: object) -> dict[str, Any]: ...

    def hints(self, integration: Integration) -> list[tuple[str, str]]: ...


KINDS: dict[str, Any] = {
    IntegrationKind.CONNECT_VAPI: connect_vapi,
    IntegrationKind.CONNECT_SYNTHFLOW: connect_synthflow,
    IntegrationKind.GENESYS_SYNTHFLOW: genesys_synthflow,
    IntegrationKind.TWILIO_SYNTHFLOW: twilio_synthflow,
}


def get_kind(kind: str) -> KindModule:
    """The module of integration kind `kind`; `KeyError` for an unknown kind."""
    return KINDS[kind]


def blueprint_for(kind: str, config: Mapping[str, Any] | None = None) -> Blueprint:
    """The kind's graph; given an integration's config, only the nodes that config needs.

    `LookupError` for a kind Patchbay does not have.
    """
    try:
        blueprint = KINDS[kind].BLUEPRINT
    except KeyError:
        raise LookupError(f"no blueprint for integration kind {kind!r}") from None
    return blueprint if config is None else blueprint.for_config(config)


def kinds_where(test: Callable[[KindModule], bool]) -> tuple[str, ...]:
    """The kinds whose module passes `test`, in declaration order (e.g. `kind__in=` in a query)."""
    return tuple(kind for kind, module in KINDS.items() if test(module))
