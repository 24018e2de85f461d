"""One module per check; `ALL_CHECKS` lists them in the order a report shows them."""

from __future__ import annotations

from integrations.diagnostics.base import Check
from integrations.diagnostics.checks.allow_list import SynthflowAllowList
from integrations.diagnostics.checks.amzn_header import AmznHeaderConfigured
from integrations.diagnostics.checks.failed_calls import RecentFailedCalls
from integrations.diagnostics.checks.lambda_association import LambdaAssociatedWithConnect
from integrations.diagnostics.checks.number_binding import NumberBoundToInboundAssistant
from integrations.diagnostics.checks.number_format import NumberIsE164
from integrations.diagnostics.checks.origination_target import OriginationTarget
from integrations.diagnostics.checks.sip_logging import SipLogging
from integrations.diagnostics.checks.sip_rule_target import SipRuleTargetsSma
from integrations.diagnostics.checks.sma_hangup import SmaHandlesHangup
from integrations.diagnostics.checks.termination_uri import TerminationUri
from integrations.diagnostics.checks.twilio_voice_url import TwilioVoiceUrl
from integrations.diagnostics.checks.vapi_gateways import MissingGateway
from integrations.diagnostics.checks.webhook_signatures import WebhookSignatureFailures

ALL_CHECKS: tuple[Check, ...] = (
    MissingGateway(),
    OriginationTarget(),
    SipLogging(),
    AmznHeaderConfigured(),
    SipRuleTargetsSma(),
    LambdaAssociatedWithConnect(),
    SmaHandlesHangup(),
    TerminationUri(),
    SynthflowAllowList(),
    NumberIsE164(),
    NumberBoundToInboundAssistant(),
    TwilioVoiceUrl(),
    WebhookSignatureFailures(),
    RecentFailedCalls(),
)


def checks_for(kind: str) -> list[Check]:
    """The checks that apply to an integration kind."""
    return [check for check in ALL_CHECKS if kind in check.kinds]
