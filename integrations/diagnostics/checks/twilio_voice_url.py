"""twilio_synthflow: the Twilio number's VoiceUrl must be Patchbay's webhook (POST), with no application
or trunk set, which would make Twilio ignore the voice URLs (PROVIDERS.md §3)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import Finding


def patchbay_voice_url(public_id: str) -> str:
    """The voice webhook URL the number must be given (PUBLIC_BASE_URL + the hook's path)."""
    path = reverse("twilio-voice-webhook", kwargs={"public_id": public_id})
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


class TwilioVoiceUrl(Check):
    name = "twilio-voice-url"
    title = "Twilio number's VoiceUrl is Patchbay's webhook"
    kinds = (IntegrationKind.TWILIO_SYNTHFLOW,)
    fix = "Reconcile or apply the integration: Patchbay points the number's VoiceUrl back at its webhook."

    def evaluate(self, ctx: CheckContext) -> Finding:
        wanted_number = str(ctx.config.get("twilio_number") or "")
        expected = patchbay_voice_url(ctx.integration.public_id)
        number = ctx.clients.twilio.find_number(wanted_number)
        if number is None:
            return self.problem(
                f"{wanted_number} is not a number of the Twilio account: Twilio never calls Patchbay for it.",
                evidence=f"IncomingPhoneNumbers?PhoneNumber={wanted_number}: none",
                fix="Use a number of this Twilio account in the integration's config, then apply.",
            )
        shown = f"{number.voice_method or 'POST'} {number.voice_url or '(none)'}"
        evidence = f"VoiceUrl {shown}; expected POST {expected}"
        if number.voice_application_sid or number.trunk_sid:
            bypass = number.voice_application_sid or number.trunk_sid
            return self.problem(
                f"The number sends calls to {bypass}, so Twilio ignores its VoiceUrl.",
                evidence,
                fix="Remove the TwiML application or SIP trunk from the number in Twilio, then apply.",
            )
        if number.voice_url != expected:
            return self.problem(
                f"The number's VoiceUrl is {number.voice_url or 'empty'}, not Patchbay's webhook: calls "
                "never reach Synthflow through Patchbay.",
                evidence,
            )
        if (number.voice_method or "POST").upper() != "POST":
            return self.problem("The number requests its VoiceUrl with GET; Patchbay expects POST.", evidence)
        return self.ok("The number's VoiceUrl is Patchbay's webhook.", evidence)
