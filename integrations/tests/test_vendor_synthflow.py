"""Patchbay's Synthflow client against the sandbox over real HTTP: typed answers and mapped errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from integrations.choices import AccountKind
from integrations.tests.factories import ProviderAccountFactory
from integrations.vendors.clients import clients_for
from integrations.vendors.errors import AuthFailed, InvalidSpec, NotFound, VendorUnavailable
from integrations.vendors.synthflow import SynthflowClient

NUMBER = "+14155550100"
TERMINATION = "pb-acme.voiceconnector.chime.aws"


@pytest.fixture
def account(sandbox_url: str, settings: Any) -> dict[str, str]:
    """A sandbox Synthflow account; the client finds the sandbox through SYNTHFLOW_BASE_URL."""
    settings.SYNTHFLOW_BASE_URL = f"{sandbox_url}/synthflow"
    response = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "synthflow"}, timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.fixture
def synthflow(account: dict[str, str]) -> SynthflowClient:
    return SynthflowClient(account["api_key"], "global")


def import_number(synthflow: SynthflowClient, account: dict[str, str], number: str = NUMBER) -> None:
    synthflow.import_custom_number(
        account["workspace_id"],
        number,
        friendly_name="pb-acme-support",
        termination_uri=TERMINATION,
        trunk_username="patchbay",
        trunk_password="digest-secret-1234",
    )


def test_an_imported_number_reads_back_typed_without_its_password(
    synthflow: SynthflowClient, account: dict[str, str]
) -> None:
    imported = synthflow.import_custom_number(
        account["workspace_id"], NUMBER, friendly_name="pb-acme-support", termination_uri=TERMINATION
    )

    number = synthflow.get_number(account["workspace_id"], NUMBER)

    assert imported.phone_number == NUMBER
    assert imported.key
    assert number.slug == "14155550100"
    assert number.friendly_name == "pb-acme-support"
    assert number.termination_uri == TERMINATION
    assert number.provider_name == "custom"
    assert number.is_available is True
    assert number.assistant_ids == ()


def test_attaching_a_number_binds_it_to_the_inbound_assistant(
    synthflow: SynthflowClient, account: dict[str, str]
) -> None:
    import_number(synthflow, account)

    synthflow.attach_numbers(account["assistant_id"], [NUMBER])

    assistant = synthflow.get_assistant(account["assistant_id"])
    assert assistant.type == "inbound"
    assert assistant.phone_numbers == (NUMBER,)
    number = synthflow.get_number(account["workspace_id"], NUMBER)
    assert number.assistant_ids == (account["assistant_id"],)
    assert number.is_available is False
    synthflow.detach_number(account["assistant_id"], NUMBER)
    assert synthflow.get_assistant(account["assistant_id"]).phone_numbers == ()


def test_updating_and_deleting_a_number(synthflow: SynthflowClient, account: dict[str, str]) -> None:
    import_number(synthflow, account)

    synthflow.update_number(account["workspace_id"], NUMBER, {"termination_uri": "pb-new.example.net"})
    assert synthflow.get_number(account["workspace_id"], NUMBER).termination_uri == "pb-new.example.net"
    synthflow.delete_number(account["workspace_id"], NUMBER)

    with pytest.raises(NotFound) as gone:
        synthflow.get_number(account["workspace_id"], NUMBER)
    assert "not found" in str(gone.value)
    assert gone.value.request_id  # Synthflow's request id comes from the error body


def test_lists_read_every_page(synthflow: SynthflowClient, account: dict[str, str]) -> None:
    numbers = [f"+1415555{n:04d}" for n in range(101, 106)]
    for number in numbers:
        import_number(synthflow, account, number)
    synthflow.attach_numbers(account["assistant_id"], [numbers[0]])
    synthflow.page_size = 2

    listed = synthflow.list_numbers(account["workspace_id"])
    available = synthflow.list_numbers(account["workspace_id"], is_available=True)

    assert sorted(n.phone_number for n in listed) == numbers
    assert sorted(n.phone_number for n in available) == numbers[1:]


def test_a_second_import_of_a_number_is_invalid(synthflow: SynthflowClient, account: dict[str, str]) -> None:
    import_number(synthflow, account)

    with pytest.raises(InvalidSpec) as refused:
        import_number(synthflow, account)

    assert "already imported" in str(refused.value)
    assert "digest-secret-1234" not in str(refused.value)


def test_a_missing_termination_uri_names_the_field(
    synthflow: SynthflowClient, account: dict[str, str]
) -> None:
    with pytest.raises(InvalidSpec) as refused:
        synthflow.import_custom_number(account["workspace_id"], NUMBER)

    assert refused.value.field == "termination_uri"


def test_a_wrong_api_key_is_auth_failed(account: dict[str, str]) -> None:
    with pytest.raises(AuthFailed) as refused:
        SynthflowClient("sf-not-a-key").get_assistant(account["assistant_id"])

    assert "sf-not-a-key" not in str(refused.value)


def test_prepare_inbound_registers_a_call_that_the_calls_api_shows(
    synthflow: SynthflowClient, account: dict[str, str]
) -> None:
    prepared = synthflow.prepare_inbound(
        from_number="+12065550142",
        to_number=NUMBER,
        model_id=account["assistant_id"],
        workspace_id=account["workspace_id"],
        custom_variables={"caller_city": "SEATTLE"},
        timeout=2.0,
    )

    assert prepared.registered
    call = synthflow.get_call(prepared.synthflow_call_id)
    assert call.call_status == "registered"
    assert call.custom_variables == {"caller_city": "SEATTLE"}
    listed = synthflow.list_calls(account["assistant_id"], call_status="registered")
    assert [c.call_id for c in listed] == [prepared.synthflow_call_id]


def test_prepare_inbound_tries_once_on_a_server_error(
    synthflow: SynthflowClient, account: dict[str, str], sandbox_url: str
) -> None:
    fault = {"vendor": "synthflow", "operation": "PrepareInbound", "mode": "error", "status": 503, "times": 0}
    httpx.post(f"{sandbox_url}/_sandbox/faults", json=fault, timeout=10).raise_for_status()

    with pytest.raises(VendorUnavailable):
        synthflow.prepare_inbound(
            from_number="+12065550142",
            to_number=NUMBER,
            model_id=account["assistant_id"],
            workspace_id=account["workspace_id"],
            custom_variables={},
            timeout=2.0,
        )

    ledger = httpx.get(f"{sandbox_url}/_sandbox/ledger", params={"vendor": "synthflow"}, timeout=10).json()
    assert [r["operation"] for r in ledger["requests"]].count("PrepareInbound") == 1


@pytest.mark.parametrize(
    ("region", "api", "sip"),
    [
        ("global", "https://api.synthflow.ai/v2", "sip.synthflow.ai"),
        ("us", "https://api.us.synthflow.ai/v2", "sip.us.synthflow.ai"),
        ("eu", "https://api.eu.synthflow.ai/v2", "sip.eu.synthflow.ai"),
    ],
)
def test_without_a_base_url_setting_the_region_picks_the_real_hosts(
    settings: Any, region: str, api: str, sip: str
) -> None:
    settings.SYNTHFLOW_BASE_URL = ""

    client = SynthflowClient("sf-key", region)

    assert client.base_url == api
    assert client.sip_host == sip


def test_an_integrations_clients_include_its_synthflow_account(
    db: Any, account: dict[str, str], synthflow: SynthflowClient
) -> None:
    import_number(synthflow, account)
    stored = ProviderAccountFactory(
        kind=AccountKind.SYNTHFLOW,
        settings={"region": "global", "workspace_id": account["workspace_id"]},
        secrets={"api_key": account["api_key"]},
    )

    client = clients_for({AccountKind.SYNTHFLOW: stored}).synthflow

    assert client.get_number(account["workspace_id"], NUMBER).phone_number == NUMBER
