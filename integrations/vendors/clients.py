"""The vendor clients of one integration, built from its provider accounts (secrets decrypted here only)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from integrations.vendors.aws import AwsAccountRef, AwsSession
from integrations.vendors.genesys import GenesysClient
from integrations.vendors.synthflow import SynthflowClient
from integrations.vendors.twilio import TwilioClient
from integrations.vendors.vapi import VapiClient

if TYPE_CHECKING:
    from integrations.models import ProviderAccount

# Assumed-role sessions are reused across runs in a worker process, so a
# reconcile pass does not pay an AssumeRole call per integration.
_aws_sessions: dict[tuple[str, str, str, str], AwsSession] = {}
_aws_lock = threading.Lock()


def aws_session_for(account: ProviderAccount) -> AwsSession:
    """The shared assumed-role session of an AWS provider account."""
    ref = AwsAccountRef(
        role_arn=str(account.settings.get("role_arn", "")),
        external_id=str(account.external_id),
        region=str(account.settings.get("region", "us-east-1")),
    )
    key = (str(account.pk), ref.role_arn, ref.external_id, ref.region)
    with _aws_lock:
        session = _aws_sessions.get(key)
        if session is None:
            session = AwsSession(ref, session_name=f"patchbay-{account.tenant_id}"[:64])
            _aws_sessions[key] = session
        return session


class VendorClients:
    """Lazily built clients for the accounts an integration links, by account kind."""

    def __init__(self, accounts: Mapping[str, Any]) -> None:
        self.accounts = dict(accounts)

    def _account(self, kind: str) -> Any:
        account = self.accounts.get(kind)
        if account is None:
            raise LookupError(f"this integration has no {kind} account")
        return account

    @cached_property
    def aws(self) -> AwsSession:
        return aws_session_for(self._account("aws"))

    @cached_property
    def vapi(self) -> VapiClient:
        account = self._account("vapi")
        return VapiClient(account.read_secrets().get("api_key", ""), account.settings.get("region", "us"))

    @cached_property
    def synthflow(self) -> SynthflowClient:
        account = self._account("synthflow")
        region = account.settings.get("region", "global")
        return SynthflowClient(account.read_secrets().get("api_key", ""), region)

    @cached_property
    def genesys(self) -> GenesysClient:
        account = self._account("genesys")
        return GenesysClient(
            str(account.settings.get("client_id", "")),
            account.read_secrets().get("client_secret", ""),
            str(account.settings.get("region", "us_west_2")),
        )

    @cached_property
    def twilio(self) -> TwilioClient:
        account = self._account("twilio")
        return TwilioClient(
            account.settings.get("account_sid", ""), account.read_secrets().get("auth_token", "")
        )


def clients_for(accounts: Mapping[str, Any]) -> VendorClients:
    """Clients for a set of accounts keyed by kind."""
    return VendorClients(accounts)
