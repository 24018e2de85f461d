"""Integration models, one module per area (NetBox-style); import them from here."""

from integrations.models.accounts import ProviderAccount
from integrations.models.engine import ResourceNode, Run, RunEvent
from integrations.models.integration import ACCOUNT_FIELDS, Integration
from integrations.models.twilio_events import TwilioCallEvent, TwilioEventKind

__all__ = [
    "ACCOUNT_FIELDS",
    "Integration",
    "ProviderAccount",
    "ResourceNode",
    "Run",
    "RunEvent",
    "TwilioCallEvent",
    "TwilioEventKind",
]
