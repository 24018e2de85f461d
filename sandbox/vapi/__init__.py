"""The Vapi stand-in (PROVIDERS.md §2)."""

from sandbox.vapi.stand_in import VapiStandIn

__all__ = ["VapiStandIn"]
