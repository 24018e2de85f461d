"""Test connection: can Patchbay reach a provider account with what it stores? (issue 11, item 5)

One cheap authenticated read per vendor, a single attempt each, the result in
words a person can act on:

- AWS: `sts:AssumeRole` on the role with the account's external id, then one
  read the permission policy allows (`chime:ListVoiceConnectors`), so a role
  that trusts Patchbay but lacks the policy is told apart from one that does
  not trust it at all.
- Vapi: `GET /assistant?limit=1` with the private key.
- Synthflow: `GET /v2/numbers?workspace=…&limit=1` (the key and its workspace).
- Genesys Cloud: the client-credentials token, then `GET …/edges/sites?pageSize=1`.
- Twilio: `GET /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json?PageSize=1`.

Messages carry the vendor's words (never a secret).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from django.conf import settings

from integrations.choices import AccountKind
from integrations.vendors.aws import AwsAccountRef, AwsSession
from integrations.vendors.aws.chime import ChimeVoice
from integrations.vendors.errors import AuthFailed, NotFound, VendorError, VendorUnavailable
from integrations.vendors.genesys import GenesysClient
from integrations.vendors.synthflow import SynthflowClient
from integrations.vendors.twilio import TwilioClient
from integrations.vendors.vapi import VapiClient

if TYPE_CHECKING:
    from collections.abc import Callable

    from integrations.models import ProviderAccount

#: `ok`: the read worked; `refused`: the vendor said no (credentials, trust, permissions);
#: `unreachable`: no answer, so nothing is known
OK, REFUSED, UNREACHABLE = "ok", "refused", "unreachable"


@dataclass(frozen=True)
class ConnectionResult:
    """What a connection test found, in words."""

    status: str
    message: str

    @property
    def ok(self) -> bool:
        return self.status == OK

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


class SingleAttemptSession(AwsSession):
    """An assumed-role session whose calls are tried once (a test, not a provisioning run)."""

    @staticmethod
    def _config(attempts: int) -> Config:
        return Config(
            retries={"mode": "standard", "total_max_attempts": 1},
            connect_timeout=5,
            read_timeout=settings.VENDOR_HTTP_TIMEOUT,
        )


def _check_aws(account: ProviderAccount) -> ConnectionResult:
    role_arn = str(account.settings.get("role_arn", ""))
    region = str(account.settings.get("region", "us-east-1"))
    session = SingleAttemptSession(
        AwsAccountRef(role_arn=role_arn, external_id=str(account.external_id), region=region),
        session_name=f"patchbay-check-{account.tenant_id}"[:64],
    )
    patchbay = settings.PATCHBAY_AWS_ACCOUNT_ID or "(not configured)"
    try:
        session.session()
    except AuthFailed as error:
        return ConnectionResult(
            REFUSED,
            f"The role {role_arn} does not trust Patchbay's AWS account {patchbay} with this external id "
            f"(or does not exist): give it the trust policy shown on this page. AWS said: {error}",
        )
    except VendorError as error:
        if "NoCredentialsError" in str(error):
            return ConnectionResult(
                UNREACHABLE,
                "Patchbay has no AWS credentials of its own to assume the role with (ask its operator).",
            )
        return ConnectionResult(UNREACHABLE, f"Could not reach AWS STS to assume the role: {error}")
    try:
        ChimeVoice(session).voice_connectors(max_results=1)
    except AuthFailed as error:
        return ConnectionResult(
            REFUSED,
            f"Patchbay assumed the role, but its permission policy does not allow what Patchbay needs: "
            f"attach the permission policy shown on this page. AWS said: {error}",
        )
    except VendorError as error:
        return ConnectionResult(UNREACHABLE, f"The role was assumed, but AWS did not answer a read: {error}")
    return ConnectionResult(
        OK, f"Patchbay assumed {role_arn} with the external id and may read Chime SDK Voice in {region}."
    )


def _refused(vendor: str, what: str, error: VendorError) -> ConnectionResult:
    return ConnectionResult(REFUSED, f"{vendor} refused {what}. {vendor} said: {error.args[0]}")


def _unreachable(vendor: str, error: VendorError) -> ConnectionResult:
    return ConnectionResult(UNREACHABLE, f"Could not reach {vendor}: {error.args[0]}")


def _check_vapi(account: ProviderAccount) -> ConnectionResult:
    region = str(account.settings.get("region", "us"))
    client = VapiClient(account.read_secrets().get("api_key", ""), region)
    try:
        client.request("GET", "/assistant", params={"limit": 1}, attempts=1)
    except AuthFailed as error:
        return _refused("Vapi", f"the API key (use the private key of the {region.upper()} region)", error)
    except VendorError as error:
        return _unreachable("Vapi", error)
    return ConnectionResult(OK, f"Vapi accepted the private API key ({region.upper()} region).")


def _check_synthflow(account: ProviderAccount) -> ConnectionResult:
    workspace = str(account.settings.get("workspace_id", ""))
    client = SynthflowClient(
        account.read_secrets().get("api_key", ""), account.settings.get("region", "global")
    )
    try:
        client.request("GET", "/numbers", params={"workspace": workspace, "limit": 1}, attempts=1)
    except AuthFailed as error:
        return _refused("Synthflow", "the API key", error)
    except VendorError as error:
        if isinstance(error, VendorUnavailable):
            return _unreachable("Synthflow", error)
        return _refused("Synthflow", f"to list the numbers of workspace {workspace}", error)
    return ConnectionResult(OK, f"Synthflow accepted the API key and reads workspace {workspace}.")


def _check_genesys(account: ProviderAccount) -> ConnectionResult:
    region = str(account.settings.get("region", "us_west_2"))
    client = GenesysClient(
        str(account.settings.get("client_id", "")), account.read_secrets().get("client_secret", ""), region
    )
    try:
        client.request("GET", "/api/v2/telephony/providers/edges/sites", params={"pageSize": 1}, attempts=1)
    except AuthFailed as error:
        return _refused(
            "Genesys Cloud", f"the OAuth client (client credentials grant, region {region})", error
        )
    except NotFound as error:
        return _refused("Genesys Cloud", "to list telephony sites", error)
    except VendorError as error:
        if isinstance(error, VendorUnavailable):
            return _unreachable("Genesys Cloud", error)
        return _refused("Genesys Cloud", "to list telephony sites", error)
    return ConnectionResult(
        OK, f"Genesys Cloud ({region}) issued a token to the OAuth client, which may read telephony sites."
    )


def _check_twilio(account: ProviderAccount) -> ConnectionResult:
    sid = str(account.settings.get("account_sid", ""))
    client = TwilioClient(sid, account.read_secrets().get("auth_token", ""))
    path = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json"
    try:
        client.request("GET", path, params={"PageSize": 1}, attempts=1)
    except AuthFailed as error:
        return _refused("Twilio", "the account SID and auth token", error)
    except NotFound as error:
        return _refused("Twilio", f"account {sid} with this auth token", error)
    except VendorError as error:
        return _unreachable("Twilio", error)
    return ConnectionResult(OK, f"Twilio accepted the auth token of account {sid}.")


CHECKS: dict[str, Callable[[ProviderAccount], ConnectionResult]] = {
    AccountKind.AWS: _check_aws,
    AccountKind.VAPI: _check_vapi,
    AccountKind.SYNTHFLOW: _check_synthflow,
    AccountKind.GENESYS: _check_genesys,
    AccountKind.TWILIO: _check_twilio,
}


def check_connection(account: ProviderAccount) -> ConnectionResult:
    """One authenticated read at the account's vendor; never raises for a vendor's answer."""
    try:
        return CHECKS[account.kind](account)
    except VendorError as error:  # anything a check did not place
        return _unreachable(AccountKind(account.kind).label, error)


__all__ = ["OK", "REFUSED", "UNREACHABLE", "ConnectionResult", "check_connection"]
