"""What an admin still does by hand for an integration, with the exact values to paste: one function per
family of kinds, named by each kind module's `hints` (shown by `{% kind_hints %}`).

Patchbay provisions the vendor objects; a few steps stay in the customer's own tools (an Architect flow in
Genesys, a contact flow import or routing in Connect).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse

from integrations.genesys_hints import genesys_hints as genesys_values

if TYPE_CHECKING:
    from integrations.models import Integration


def _outputs(integration: Integration, node: str) -> dict[str, Any]:
    row = integration.resources.filter(node=node).first()
    return dict(row.outputs) if row is not None and row.outputs else {}


def connect_hints(integration: Integration) -> list[tuple[str, str]]:
    """Amazon Connect kinds: the Voice Connector and Chime number, and what to route in Connect."""
    rows: list[tuple[str, str]] = []
    connector = _outputs(integration, "voice_connector")
    if connector.get("host"):
        rows.append(("Voice Connector host", str(connector["host"])))
    number = _outputs(integration, "phone_number")
    if number.get("e164"):
        rows.append(("Chime number", str(number["e164"])))
    rows.append(
        (
            "Amazon Connect",
            "Apply creates the contact flow in the instance; route a number to it in Connect, or import "
            "the downloaded JSON into an existing flow.",
        )
    )
    return rows


def genesys_hints(integration: Integration) -> list[tuple[str, str]]:
    """Genesys Cloud: the BYOC inbound FQDN, Synthflow's SIP target and the Architect routing."""
    values = genesys_values(integration)
    return [
        ("BYOC inbound FQDN", values.fqdn),
        ("Synthflow SIP target", values.synthflow_target),
        ("Architect routing", values.architect_hint),
    ]


def twilio_hints(integration: Integration) -> list[tuple[str, str]]:
    """Twilio: the voice webhook apply sets on the number."""
    path = reverse("twilio-voice-webhook", args=[integration.public_id])
    url = f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"
    return [
        ("Twilio voice webhook (POST)", url),
        ("Twilio number", str(integration.config.get("twilio_number", ""))),
        ("Set by apply", "VoiceUrl and VoiceFallbackUrl; a manual edit is healed on reconcile."),
    ]
