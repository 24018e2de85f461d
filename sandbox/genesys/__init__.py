"""The Genesys Cloud stand-in (PROVIDERS.md §4)."""

from sandbox.genesys.stand_in import GenesysStandIn

__all__ = ["GenesysStandIn"]
