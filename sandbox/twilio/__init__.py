"""The Twilio stand-in (PROVIDERS.md §3)."""

from sandbox.twilio.stand_in import TwilioStandIn

__all__ = ["TwilioStandIn"]
