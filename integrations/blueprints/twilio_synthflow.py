"""twilio_synthflow's resource graph (DESIGN §1, §6; PROVIDERS.md §1.2, §1.4, §3; seed guides 002, 003).

The Twilio number is imported into Synthflow as a custom number and bound to
the inbound assistant; the number's VoiceUrl (and VoiceFallbackUrl) point at
Patchbay's webhook, which answers each call with `<Dial><Sip>` to Synthflow.

Warm transfers (issue 12, item 3): Synthflow dials the custom number's
termination URI with a new INVITE whose Request-URI user is the target. That
URI is the integration's `warm_transfer_uri` when given, else a SIP Domain
Patchbay provisions in the customer's Twilio account
(`pb-<hash of the public id>.sip.twilio.com`): it takes calls only from an IP
ACL of Synthflow's signalling addresses of the workspace's region (§1.9), and
its Voice URL is Patchbay's signed warm-transfer webhook, which dials only the
integration's `transfer_targets` and rejects everything else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse

from integrations.blueprints import fragments
from integrations.blueprints.fragments import synthflow_region, workspace_id
from integrations.engine.blueprint import Blueprint, BlueprintNode, SpecInputs
from integrations.vendors.synthflow import SIGNALLING_CIDRS

#: Twilio's own SIP host, which routes to no account: what the Synthflow number's termination URI was
#: before Patchbay provisioned a SIP Domain for warm transfers (issue 12, item 3). Synthflow's current
#: spec requires a termination URI for provider `twilio` (§1.2) and dials it only for a warm transfer
#: (a new INVITE, §1.7); it is now the integration's `warm_transfer_uri` or its own SIP Domain
#: (`warm_transfer_domain`), never this host (the tests check that it is gone).
TWILIO_TERMINATION_URI = "sip.twilio.com"
#: Twilio SIP Domains end in this (twilio.com/docs/voice/sip/api/sip-domain-resource, DomainName)
SIP_DOMAIN_SUFFIX = ".sip.twilio.com"


def voice_webhook_url(public_id: str) -> str:
    """The public URL of the integration's voice webhook, as Twilio is given it (and signs it)."""
    path = reverse("twilio-voice-webhook", kwargs={"public_id": public_id})
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def warm_transfer_webhook_url(public_id: str) -> str:
    """The public URL of the integration's warm-transfer webhook (its SIP Domain's Voice URL)."""
    path = reverse("twilio-warm-transfer-webhook", kwargs={"public_id": public_id})
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def warm_transfer_domain(public_id: str) -> str:
    """The integration's SIP Domain name: `pb-<20 hex of sha256(public id)>.sip.twilio.com`. A hash, not
    the id: domain names are unique across Twilio, lower-case letters, digits and `-` only, while public
    ids are mixed-case with `_`; and the public id (the webhook's path) stays out of DNS."""
    digest = hashlib.sha256(public_id.encode()).hexdigest()[:20]
    return f"pb-{digest}{SIP_DOMAIN_SUFFIX}"


def _termination_uri(i: SpecInputs) -> str:
    return str(i.config.get("warm_transfer_uri") or warm_transfer_domain(i.public_id))


def _domain(i: SpecInputs) -> dict[str, Any]:
    url = warm_transfer_webhook_url(i.public_id)
    return {
        "domain_name": warm_transfer_domain(i.public_id),
        "voice_url": url,
        "voice_method": "POST",
        # A failed first request gets a second chance at the same webhook (as the number's, _voice).
        "voice_fallback_url": url,
        "voice_fallback_method": "POST",
        "acl_sids": [i.out("warm_transfer_acl", "sid")],
    }


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


def _own_ingress(config: Mapping[str, Any]) -> bool:
    """Whether Patchbay provisions the warm-transfer ingress: not when the customer names their own."""
    return not config.get("warm_transfer_uri")


NODES = (
    BlueprintNode(
        "warm_transfer_acl",
        "twilio.ip_access_control_list",
        # Synthflow's signalling sources of the workspace's region only (§1.9); never 0.0.0.0/0.
        lambda i: {"cidrs": sorted(SIGNALLING_CIDRS[synthflow_region(i)])},
        title="Twilio IP ACL: Synthflow's signalling addresses",
        when=_own_ingress,
    ),
    BlueprintNode(
        "warm_transfer_domain",
        "twilio.sip_domain",
        _domain,
        ("warm_transfer_acl",),
        "Twilio SIP Domain for warm transfers → Patchbay's webhook",
        when=_own_ingress,
    ),
    BlueprintNode(
        "synthflow_number",
        "synthflow.custom_number",
        lambda i: {
            "workspace_id": workspace_id(i),
            "phone_number": str(i.config["twilio_number"]),
            "termination_uri": _termination_uri(i),
            "provider_name": "twilio",
        },
        ("warm_transfer_domain",),
        "Synthflow custom number (the Twilio number)",
    ),
    fragments.assistant_number(),
    BlueprintNode(
        "twilio_voice",
        "twilio.number_voice",
        _voice,
        ("assistant_number",),
        "Twilio number's VoiceUrl → Patchbay's webhook",
    ),
)

BLUEPRINT = Blueprint(kind="twilio_synthflow", nodes=NODES)
