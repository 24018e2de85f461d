"""twilio_synthflow's resource graph (DESIGN §1, §6; PROVIDERS.md §1.2, §1.4, §3; seed guides 002, 003).

The Twilio number is imported into Synthflow as a custom number and bound to
the inbound assistant; the number's VoiceUrl (and VoiceFallbackUrl) point at
Patchbay's webhook, which answers each call with `<Dial><Sip>` to Synthflow.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from integrations.blueprints.connect_synthflow import workspace_id
from integrations.engine.blueprint import Blueprint, BlueprintNode, SpecInputs

#: Synthflow's current spec requires a termination URI for provider `twilio` (§1.2); Synthflow dials it
#: only for a warm transfer (a new INVITE, §1.7). A cold transfer is a SIP REFER on the live call,
#: which Twilio hands to Patchbay's REFER webhook (`<Dial referUrl>`). The integration's
#: `warm_transfer_uri` (the customer's own Twilio SIP Domain or Elastic SIP Trunk) fills the field;
#: without it this host stands in, which routes nowhere: warm transfer is unsupported (the config's
#: help says so). UNRESOLVED (issue 12, item 3): provisioning that ingress, or sending no URI at all,
#: which the strict reading of Synthflow's reference answers with 400.
TWILIO_TERMINATION_URI = "sip.twilio.com"


def voice_webhook_url(public_id: str) -> str:
    """The public URL of the integration's voice webhook, as Twilio is given it (and signs it)."""
    path = reverse("twilio-voice-webhook", kwargs={"public_id": public_id})
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def _voice(i: SpecInputs) -> dict[str, Any]:
    url = voice_webhook_url(i.public_id)
    return {
        "phone_number": str(i.config["twilio_number"]),
        "voice_url": url,
        "voice_method": "POST",
        # A failed first request (timeout, 5xx) gets a second chance at the same webhook, which
        # answers the configured fallback TwiML itself when Synthflow cannot take the call.
        "voice_fallback_url": url,
        "voice_fallback_method": "POST",
    }


NODES = (
    BlueprintNode(
        "synthflow_number",
        "synthflow.custom_number",
        lambda i: {
            "workspace_id": workspace_id(i),
            "phone_number": str(i.config["twilio_number"]),
            "termination_uri": str(i.config.get("warm_transfer_uri") or TWILIO_TERMINATION_URI),
            "provider_name": "twilio",
        },
        title="Synthflow custom number (the Twilio number)",
    ),
    BlueprintNode(
        "assistant_number",
        "synthflow.assistant_number",
        lambda i: {
            "model_id": str(i.config["synthflow_assistant_id"]),
            "phone_number": i.out("synthflow_number", "phone_number"),
        },
        ("synthflow_number",),
        "The number attached to the inbound assistant",
    ),
    BlueprintNode(
        "twilio_voice",
        "twilio.number_voice",
        _voice,
        ("assistant_number",),
        "Twilio number's VoiceUrl → Patchbay's webhook",
    ),
)

BLUEPRINT = Blueprint(kind="twilio_synthflow", nodes=NODES)
