"""`{% kind_hints integration %}`: what an admin still does by hand for this kind, with the exact values.

Patchbay provisions the vendor objects; a few steps stay in the customer's own
tools (an Architect flow in Genesys, a contact flow import or routing in
Connect). This panel gives the values to paste there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.conf import settings
from django.urls import reverse

from integrations.choices import IntegrationKind

if TYPE_CHECKING:
    from integrations.models import Integration

register = template.Library()


def _outputs(integration: Integration, node: str) -> dict[str, Any]:
    row = integration.resources.filter(node=node).first()
    return dict(row.outputs) if row is not None and row.outputs else {}


def hints_for(integration: Integration) -> list[tuple[str, str]]:
    """(label, value) rows for the integration's kind; values are exact, ready to paste."""
    kind = integration.kind
    if kind == IntegrationKind.GENESYS_SYNTHFLOW:
        from integrations.genesys_hints import genesys_hints

        hints = genesys_hints(integration)
        return [
            ("BYOC inbound FQDN", hints.fqdn),
            ("Synthflow SIP target", hints.synthflow_target),
            ("Architect routing", hints.architect_hint),
        ]
    if kind == IntegrationKind.TWILIO_SYNTHFLOW:
        path = reverse("twilio-voice-webhook", args=[integration.public_id])
        url = f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"
        return [
            ("Twilio voice webhook (POST)", url),
            ("Twilio number", str(integration.config.get("twilio_number", ""))),
            ("Set by apply", "VoiceUrl and VoiceFallbackUrl; a manual edit is healed on reconcile."),
        ]
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


@register.inclusion_tag("integrations/_kind_hints.html")
def kind_hints(integration: Integration) -> dict[str, Any]:
    return {"rows": hints_for(integration), "integration": integration}
