"""A twilio_synthflow integration wired to the sandbox's Synthflow, and Twilio-signed requests to its webhook.

The `webhook_world` fixture (testing/plugins/webhooks.py, a test takes it by name) is a
factory: `webhook_world(region=..., config={...})` builds, in a freshly reset
sandbox, a Synthflow account whose workspace has the Twilio number imported
and bound to the inbound assistant, and a tenant with Twilio and Synthflow
provider accounts and the integration, all through Patchbay's own actions.
Requests are signed as Twilio signs them, for the URL in `PUBLIC_BASE_URL`.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from django.test import Client
from django.urls import reverse
from twilio.request_validator import RequestValidator

from integrations import actions
from integrations.choices import AccountKind, IntegrationKind
from integrations.models import Integration, ProviderAccount
from integrations.vendors.synthflow import SynthflowClient
from sandbox.core.server import SandboxServer
from sandbox.core.sip_uri import SipUri, parse_sip_uri
from tenants.audit import Actor
from tenants.models import Tenant
from tenants.tests.factories import TenantFactory

PUBLIC_BASE_URL = "https://patchbay.example.com"
TWILIO_NUMBER = "+14155550100"
CALLER = "+12065550142"
#: a Twilio signalling address, as the source of INVITEs to Synthflow's SIP edge
TWILIO_SIP_SOURCE = "54.172.60.1"


@dataclass(frozen=True)
class DialedSip:
    """What the TwiML `<Dial><Sip>` says: the URI (parsed), its raw headers part and the callback."""

    uri: str
    parsed: SipUri
    headers_part: str
    status_callback: str

    @property
    def headers(self) -> dict[str, str]:
        """The decoded `X-...` headers Twilio would send."""
        return dict(self.parsed.headers)


def dialed_sip(body: bytes | str) -> DialedSip:
    """The `<Sip>` of a TwiML answer; fails the test when the answer does not dial SIP."""
    root = ElementTree.fromstring(body)
    sip = root.find("Dial/Sip")
    assert sip is not None, f"the TwiML does not dial SIP: {body!r}"
    uri = (sip.text or "").strip()
    parsed = parse_sip_uri(uri)
    assert parsed is not None, uri
    return DialedSip(uri, parsed, uri.partition("?")[2], sip.get("statusCallback", ""))


def fallback_of(body: bytes | str) -> dict[str, str]:
    """`{"dial": number}` or `{"say": text}` from a fallback TwiML answer."""
    root = ElementTree.fromstring(body)
    assert root.find("Dial/Sip") is None, f"expected the fallback, got a SIP dial: {body!r}"
    dial, say = root.find("Dial"), root.find("Say")
    if dial is not None:
        return {"dial": (dial.text or "").strip()}
    assert say is not None, body
    return {"say": (say.text or "").strip()}


@dataclass
class WebhookWorld:
    """One tenant's twilio_synthflow integration, its accounts, and the sandbox Synthflow behind it."""

    sandbox_url: str
    tenant: Tenant
    integration: Integration
    twilio_account: ProviderAccount
    synthflow_account: ProviderAccount
    account_sid: str
    auth_token: str
    synthflow: dict[str, str]
    client: Client = field(default_factory=Client)

    @property
    def public_id(self) -> str:
        return self.integration.public_id

    @property
    def path(self) -> str:
        return reverse("twilio-voice-webhook", kwargs={"public_id": self.public_id})

    @property
    def status_path(self) -> str:
        return reverse("twilio-status-webhook", kwargs={"public_id": self.public_id})

    def synthflow_client(self) -> SynthflowClient:
        """Patchbay's client for the Synthflow account (to read what the sandbox recorded)."""
        return SynthflowClient(self.synthflow["api_key"], self.synthflow_account.settings["region"])

    def call_params(self, **overrides: str) -> dict[str, str]:
        """The parameters Twilio sends for an inbound call to the integration's number."""
        params = {
            "CallSid": "CA" + secrets.token_hex(16),
            "AccountSid": self.account_sid,
            "From": CALLER,
            "To": TWILIO_NUMBER,
            "Caller": CALLER,
            "Called": TWILIO_NUMBER,
            "CallStatus": "ringing",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            "FromCity": "SEATTLE",
        }
        params.update(overrides)
        return params

    def sign(self, url: str, params: dict[str, str], token: str | None = None) -> str:
        """`X-Twilio-Signature` for `url` and POST `params`, as Twilio computes it."""
        return RequestValidator(token or self.auth_token).compute_signature(url, params)

    def post(
        self, params: dict[str, str], *, path: str | None = None, token: str | None = None, **extra: Any
    ) -> Any:
        """A signed POST of `params` to the voice webhook (or `path`), through the Django test client."""
        path = path or self.path
        signature = self.sign(f"{PUBLIC_BASE_URL}{path}", params, token)
        return self.client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature, **extra)

    def get(self, params: dict[str, str]) -> Any:
        """A signed GET with `params` in the query string (Twilio signs the whole URL)."""
        path = f"{self.path}?{urlencode(params)}"
        signature = self.sign(f"{PUBLIC_BASE_URL}{path}", {})
        return self.client.get(path, HTTP_X_TWILIO_SIGNATURE=signature)

    def reconfigure(self, **changes: Any) -> None:
        """Change the integration's config as an admin would (validated, audited)."""
        config = {**self.integration.config, **changes}
        self.integration = actions.update_integration(self.integration, actor=Actor.system(), config=config)


def synthflow_account(sandbox_url: str, region: str) -> dict[str, str]:
    """A sandbox Synthflow account whose inbound assistant answers TWILIO_NUMBER."""
    created = httpx.post(
        f"{sandbox_url}/_sandbox/accounts", json={"vendor": "synthflow", "region": region}, timeout=10
    )
    created.raise_for_status()
    account = created.json()
    client = SynthflowClient(account["api_key"], region)
    client.import_custom_number(
        account["workspace_id"],
        TWILIO_NUMBER,
        friendly_name="pb-acme-twilio",
        termination_uri="acme.pstn.twilio.com",
        provider_name="twilio",
    )
    client.set_assistant_number(account["assistant_id"], TWILIO_NUMBER)
    return account


def build_world(
    sandbox_url: str,
    *,
    region: str = "global",
    config: dict[str, Any] | None = None,
    account_sid: str = "",
    auth_token: str = "",
) -> WebhookWorld:
    """The integration and its accounts; `config` overrides the defaults of VALID_CONFIG."""
    synthflow = synthflow_account(sandbox_url, region)
    tenant = TenantFactory()
    account_sid = account_sid or "AC" + secrets.token_hex(16)
    auth_token = auth_token or "twilio-token-" + secrets.token_hex(12)
    actor = Actor.system()
    twilio = actions.create_provider_account(
        tenant,
        name="twilio",
        kind=AccountKind.TWILIO,
        settings={"account_sid": account_sid},
        secrets={"auth_token": auth_token},
        actor=actor,
    )
    sf = actions.create_provider_account(
        tenant,
        name="synthflow",
        kind=AccountKind.SYNTHFLOW,
        settings={"region": region, "workspace_id": synthflow["workspace_id"]},
        secrets={"api_key": synthflow["api_key"]},
        actor=actor,
    )
    integration = actions.create_integration(
        tenant,
        name="support-line",
        kind=IntegrationKind.TWILIO_SYNTHFLOW,
        accounts={AccountKind.TWILIO: twilio, AccountKind.SYNTHFLOW: sf},
        config={
            "twilio_number": TWILIO_NUMBER,
            "synthflow_assistant_id": synthflow["assistant_id"],
            **(config or {}),
        },
        actor=actor,
    )
    return WebhookWorld(
        sandbox_url=sandbox_url,
        tenant=tenant,
        integration=integration,
        twilio_account=twilio,
        synthflow_account=sf,
        account_sid=account_sid,
        auth_token=auth_token,
        synthflow=synthflow,
    )


def add_fault(sandbox_url: str, **spec: Any) -> None:
    """Inject a sandbox fault (`vendor`, `operation`, `mode`, ...)."""
    response = httpx.post(f"{sandbox_url}/_sandbox/faults", json=spec, timeout=10)
    assert response.status_code == 201, response.text


def set_option(sandbox_url: str, stand_in: str, **options: Any) -> None:
    """Switch a sandbox option (restored by the next reset)."""
    response = httpx.post(f"{sandbox_url}/_sandbox/options", json={stand_in: options}, timeout=10)
    assert response.status_code == 200, response.text


def ledger_operations(sandbox_url: str, vendor: str) -> list[str]:
    """The operations the sandbox's `vendor` was asked for, oldest first."""
    ledger = httpx.get(f"{sandbox_url}/_sandbox/ledger", params={"vendor": vendor}, timeout=10).json()
    return [r["operation"] for r in ledger["requests"]]


def ring(sandbox_server: SandboxServer) -> dict[str, Any]:
    """A caller dials the Twilio number; what Twilio did with Patchbay's answer."""
    return sandbox_server.sandbox.stand_in("twilio").place_call(TWILIO_NUMBER, CALLER)  # type: ignore[attr-defined]


def invite(sandbox_server: SandboxServer, placed: dict[str, Any]) -> dict[str, Any]:
    """The `<Sip>` dial Twilio would make, as Synthflow's SIP edge receives it."""
    synthflow = sandbox_server.sandbox.stand_in("synthflow")
    status, _ = synthflow.sip_invite(placed["sip_uri"], TWILIO_SIP_SOURCE, placed["sip_headers"])  # type: ignore[attr-defined]
    received = synthflow.received_calls[-1]  # type: ignore[attr-defined]
    return {**received, "status": status}
