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


def test_an_inbound_assistant_is_bound_by_its_own_phone_number(
    synthflow: SynthflowClient, account: dict[str, str]
) -> None:
    import_number(synthflow, account)

    synthflow.set_assistant_number(account["assistant_id"], NUMBER)

    assistant = synthflow.get_assistant(account["assistant_id"])
    assert assistant.type == "inbound"
    assert assistant.phone_number == NUMBER
    # Not an outbound attachment: `attached_phone_numbers` are for calls the agent places.
    assert assistant.outbound_numbers == ()
    number = synthflow.get_number(account["workspace_id"], NUMBER)
    assert number.assistant_ids == (account["assistant_id"],)
    assert number.is_available is False
    # Deleting the number detaches it from the agent (the only documented way to unbind it).
    synthflow.delete_number(account["workspace_id"], NUMBER)
    assert synthflow.get_assistant(account["assistant_id"]).phone_number == ""


def test_an_unknown_assistant_is_not_found(synthflow: SynthflowClient) -> None:
    # 400 is the only error Synthflow documents for GET /v2/assistants/{model_id}.
    with pytest.raises(NotFound):
        synthflow.get_assistant("00000000-0000-4000-8000-000000000000")


def test_updating_and_deleting_a_number(synthflow: SynthflowClient, account: dict[str, str]) -> None:
    import_number(synthflow, account)

    synthflow.update_number(account["workspace_id"], NUMBER, {"termination_uri": "pb-new.example.net"})
    assert synthflow.get_number(account["workspace_id"], NUMBER).termination_uri == "pb-new.example.net"
    synthflow.delete_number(account["workspace_id"], NUMBER)

    with pytest.raises(NotFound) as gone:
        synthflow.get_number(account["workspace_id"], NUMBER)
    assert "not found" in str(gone.value)
    assert gone.value.request_id  # Synthflow's request id comes from the error body
    with pytest.raises(NotFound):
        synthflow.delete_number(account["workspace_id"], NUMBER)


def test_a_number_that_is_not_imported_is_not_found_though_synthflow_answers_400(
    synthflow: SynthflowClient, account: dict[str, str], sandbox_url: str
) -> None:
    import_number(synthflow, account, "+14155550101")
    since = httpx.get(f"{sandbox_url}/_sandbox/ledger", timeout=10).json()["next"]

    with pytest.raises(NotFound) as absent:
        synthflow.get_number(account["workspace_id"], NUMBER)

    # Synthflow documents 400 (not 404) for GET /v2/numbers/{slug}; the workspace's list confirms.
    ledger = httpx.get(f"{sandbox_url}/_sandbox/ledger", params={"since": since}, timeout=10).json()
    assert [(r["operation"], r["status"]) for r in ledger["requests"]] == [
        ("GetNumber", 400),
        ("ListNumbers", 200),
    ]
    assert absent.value.field == "phone_number"


def test_a_wrong_workspace_is_not_mistaken_for_a_missing_number(
    synthflow: SynthflowClient, account: dict[str, str]
) -> None:
    import_number(synthflow, account)

    with pytest.raises(InvalidSpec) as refused:
        synthflow.get_number("1700000000000x1", NUMBER)

    assert not isinstance(refused.value, NotFound)
    assert "not found" in str(refused.value)  # the workspace's, named by Synthflow


def test_a_number_in_an_envelope_is_read_too(synthflow: SynthflowClient) -> None:
    # The flat object is documented; an older `{status, response}` reading is still accepted.
    flat = {"slug": "14155550100", "phone_number": NUMBER, "sip_term_uri": TERMINATION, "assistants": ["m-1"]}
    routes = {"flat": flat, "envelope": {"status": "ok", "response": flat}}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=routes[request.url.params["workspace"]])

    synthflow.http = httpx.Client(transport=httpx.MockTransport(answer))

    assert synthflow.get_number("flat", NUMBER) == synthflow.get_number("envelope", NUMBER)
    assert synthflow.get_number("flat", NUMBER).assistant_ids == ("m-1",)


def test_lists_read_every_page(synthflow: SynthflowClient, account: dict[str, str]) -> None:
    numbers = [f"+1415555{n:04d}" for n in range(101, 106)]
    for number in numbers:
        import_number(synthflow, account, number)
    synthflow.set_assistant_number(account["assistant_id"], numbers[0])
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


@pytest.mark.usefixtures("synthflow_refusal_expected")
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
