"""Test connection of provider accounts against the sandbox, each answer in words (issue 11, item 5).

The sandbox answers these reads as the vendors do (sandbox/README.md: STS AssumeRole
evaluates the trust policy's `sts:ExternalId` and identity policies are enforced; Vapi,
Synthflow, Genesys and Twilio refuse a bad key with their own 401 bodies).
"""

from __future__ import annotations

from typing import Any

from integrations.connection_checks import OK, REFUSED, UNREACHABLE, check_connection
from integrations.models import ProviderAccount
from integrations.tests.engine_support import Sandbox, without_actions


def _account(kind: str, settings: dict[str, Any], secrets: dict[str, str], **extra: Any) -> ProviderAccount:
    account = ProviderAccount(name=kind, kind=kind, settings=settings, **extra)
    account.set_secrets(secrets)
    return account


def _aws(sandbox: Sandbox, external_id: str, withhold: tuple[str, ...] = ()) -> dict[str, Any]:
    policy = _account("aws", {"role_arn": "arn:aws:iam::123456789012:role/x"}, {}).permission_policy()
    body = {
        "vendor": "aws",
        "external_id": external_id,
        "permission_policy": without_actions(policy, withhold),
    }
    return sandbox.post("accounts", body)


def test_aws_role_that_trusts_patchbay_with_the_external_id_connects(sandbox: Sandbox) -> None:
    created = _aws(sandbox, "pb-ext-trusted")
    account = _account(
        "aws", {"role_arn": created["role_arn"], "region": "us-east-1"}, {}, external_id="pb-ext-trusted"
    )

    result = check_connection(account)

    assert result.status == OK, result.message
    assert "assumed" in result.message


def test_aws_role_with_another_external_id_is_reported_as_not_trusting_patchbay(sandbox: Sandbox) -> None:
    created = _aws(sandbox, "pb-ext-customer")
    account = _account(
        "aws", {"role_arn": created["role_arn"], "region": "us-east-1"}, {}, external_id="pb-ext-ours"
    )

    result = check_connection(account)

    assert result.status == REFUSED
    assert "does not trust Patchbay's AWS account" in result.message
    assert "with this external id" in result.message


def test_aws_role_without_the_permission_policy_says_to_attach_it(sandbox: Sandbox) -> None:
    created = _aws(sandbox, "pb-ext-bare", withhold=("chime:ListVoiceConnectors",))
    account = _account(
        "aws", {"role_arn": created["role_arn"], "region": "us-east-1"}, {}, external_id="pb-ext-bare"
    )

    result = check_connection(account)

    assert result.status == REFUSED
    assert "attach the permission policy" in result.message
    assert "chime:ListVoiceConnectors" in result.message


def test_vapi_key_is_checked(sandbox: Sandbox) -> None:
    key = sandbox.post("accounts", {"vendor": "vapi"})["api_key"]

    assert check_connection(_account("vapi", {"region": "us"}, {"api_key": key})).status == OK
    refused = check_connection(_account("vapi", {"region": "us"}, {"api_key": "not-the-key"}))
    assert refused.status == REFUSED
    assert "Vapi refused the API key" in refused.message
    assert "not-the-key" not in refused.message


def test_synthflow_key_and_workspace_are_checked(sandbox: Sandbox) -> None:
    created = sandbox.post("accounts", {"vendor": "synthflow"})
    settings = {"region": "global", "workspace_id": created["workspace_id"]}

    assert check_connection(_account("synthflow", settings, {"api_key": created["api_key"]})).status == OK
    bad_key = check_connection(_account("synthflow", settings, {"api_key": "sf-wrong"}))
    assert bad_key.status == REFUSED
    assert "refused the API key" in bad_key.message
    other = {**settings, "workspace_id": "1700000000000x100000000000000000"}
    bad_workspace = check_connection(_account("synthflow", other, {"api_key": created["api_key"]}))
    assert bad_workspace.status == REFUSED
    assert "1700000000000x100000000000000000" in bad_workspace.message


def test_genesys_client_is_checked(sandbox: Sandbox) -> None:
    created = sandbox.post("accounts", {"vendor": "genesys"})
    settings = {"region": created["region"], "client_id": created["client_id"]}

    assert check_connection(_account("genesys", settings, {"client_secret": created["client_secret"]})).ok
    refused = check_connection(_account("genesys", settings, {"client_secret": "wrong-secret"}))
    assert refused.status == REFUSED
    assert "refused the OAuth client" in refused.message


def test_twilio_token_is_checked(sandbox: Sandbox) -> None:
    created = sandbox.post("accounts", {"vendor": "twilio"})
    settings = {"account_sid": created["account_sid"]}

    assert check_connection(_account("twilio", settings, {"auth_token": created["auth_token"]})).ok
    refused = check_connection(_account("twilio", settings, {"auth_token": "0" * 32}))
    assert refused.status == REFUSED
    assert "20003" in refused.message


def test_an_unreachable_vendor_is_reported_as_such(sandbox: Sandbox, settings: Any) -> None:
    settings.VAPI_BASE_URL = "http://127.0.0.1:9/vapi"  # the discard port: nothing listens

    result = check_connection(_account("vapi", {"region": "us"}, {"api_key": "k"}))

    assert result.status == UNREACHABLE
    assert "Could not reach Vapi" in result.message
