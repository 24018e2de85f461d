"""Shared listings in a reconcile pass (issue 15, item 2; integrations/vendors/shared_reads.py).

Two integrations on one Vapi account are driven the way the engine observes a node
(`GraphExecutor._first_observe`, real resource types, real clients) against the sandbox, whose
ledger counts every request. One pass lists each resource type once instead of reading each object
by id; a stale listing never decides anything the engine acts on (it is read again directly); an
apply and everything outside a reconcile's observe read directly; setting 0 turns sharing off.
"""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
from django.core.cache import cache

from integrations.engine import runs
from integrations.models.engine import RunKind
from integrations.tests.resource_harness import Node, first_observe
from integrations.vendors import shared_reads
from integrations.vendors.errors import AuthFailed
from integrations.vendors.twilio import TwilioClient
from integrations.vendors.vapi import VapiClient

GATEWAYS = [
    {"ip": "3.80.16.0", "netmask": 24, "port": 5060, "inbound_enabled": True, "outbound_enabled": False},
    {"ip": "3.80.17.0", "netmask": 24, "port": 5060, "inbound_enabled": True, "outbound_enabled": False},
]


@pytest.fixture
def account(sandbox_url: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A sandbox Vapi account; sharing on (one beat tick) and an empty cache."""
    settings.VAPI_BASE_URL = f"{sandbox_url}/vapi"
    settings.TWILIO_BASE_URL = f"{sandbox_url}/twilio"
    settings.VENDOR_RETRY_BASE_SECONDS = 0.01
    settings.RECONCILE_SHARED_LIST_SECONDS = 30.0
    cache.clear()
    monkeypatch.setattr(shared_reads, "clock", lambda: 1_000_000.0)  # one bucket for the whole test
    response = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "vapi"}, timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.fixture
def ledger(sandbox_server: Any) -> Any:
    return sandbox_server.sandbox.ledger


def vapi_calls(ledger: Any, since: int) -> Counter[str]:
    return Counter(r.operation for r in ledger.requests(vendor="vapi", since=since))


def integration(account: dict[str, str], index: int) -> tuple[Node, Node]:
    """One integration's Vapi credential and phone number, created; its own client, as each run has."""
    clients = SimpleNamespace(vapi=VapiClient(account["api_key"], "us"))
    credential = Node("vapi.credential", f"pb-acme-i{index}-cred", {"gateways": GATEWAYS}, clients)
    credential.create()
    spec = {
        "number": f"patchbay{index}",
        "credential_id": credential.external_id,
        "assistant_id": account["assistant_id"],
    }
    number = Node("vapi.phone_number", f"pb-acme-i{index}-number", spec, clients)
    number.create()
    return credential, number


def narrow(sandbox_url: str, account: dict[str, str], credential: Node, ips: list[str]) -> None:
    """Someone edits the credential's gateways at Vapi."""
    response = httpx.patch(
        f"{sandbox_url}/vapi/credential/{credential.external_id}",
        headers={"Authorization": f"Bearer {account['api_key']}"},
        json={"gateways": [{"ip": ip, "outboundEnabled": False} for ip in ips]},
        timeout=10,
    )
    response.raise_for_status()


def test_two_integrations_on_one_account_list_once_per_type(account: dict[str, str], ledger: Any) -> None:
    nodes = [node for index in (1, 2) for node in integration(account, index)]

    mark = ledger.next_index
    seen = [first_observe(node) for node in nodes]
    assert all(s.exists and s.up_to_date for s in seen), seen
    assert vapi_calls(ledger, mark) == {"ListCredentials": 1, "ListPhoneNumbers": 1}
    assert [s.external_id for s in seen] == [n.external_id for n in nodes]
    assert seen[1].outputs == {"id": nodes[1].external_id, "number": "patchbay1", "status": "active"}

    # The same pass again, within the tick: no vendor call at all.
    mark = ledger.next_index
    assert all(first_observe(node).up_to_date for node in nodes)
    assert vapi_calls(ledger, mark) == {}


def test_sharing_off_reads_each_object_by_id(account: dict[str, str], ledger: Any, settings: Any) -> None:
    settings.RECONCILE_SHARED_LIST_SECONDS = 0
    nodes = [node for index in (1, 2) for node in integration(account, index)]

    mark = ledger.next_index
    assert all(first_observe(node).up_to_date for node in nodes)
    assert vapi_calls(ledger, mark) == {"GetCredential": 2, "GetPhoneNumber": 2}


def test_an_apply_and_reads_outside_a_reconcile_observe_never_use_the_listing(
    account: dict[str, str], ledger: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    credential, number = integration(account, 1)
    first_observe(credential)  # the listing is in the cache now
    first_observe(number)

    mark = ledger.next_index
    assert first_observe(credential, reconcile=False).up_to_date
    assert first_observe(number, reconcile=False).up_to_date
    credential.rtype.observe(credential.context())  # a plan, a diagnostic: no engine switch
    assert vapi_calls(ledger, mark) == {"GetCredential": 2, "GetPhoneNumber": 1}

    # Only a reconcile run's executor is built with sharing on (integrations/engine/runs.py).
    made: dict[str, bool] = {}

    class Stop(Exception):
        pass

    class Recording:
        def __init__(self, graph: Any, recorder: Any, *, heal: bool, shared_reads: bool) -> None:
            made[kind] = shared_reads

        def apply(self) -> Any:
            raise Stop

    monkeypatch.setattr(runs, "GraphExecutor", Recording)
    for kind in (RunKind.APPLY, RunKind.RECONCILE):
        with pytest.raises(Stop):
            runs._apply(cast(Any, SimpleNamespace(kind=kind)), cast(Any, None), cast(Any, None), heal=True)
    assert made == {RunKind.APPLY: False, RunKind.RECONCILE: True}


def test_a_stale_listing_is_confirmed_by_a_direct_read_before_anything_is_done(
    account: dict[str, str], ledger: Any, sandbox_url: str
) -> None:
    first, _ = integration(account, 1)
    second, _ = integration(account, 2)
    narrow(sandbox_url, account, second, ["3.80.16.1"])
    first_observe(first)  # lists the credentials: the second one drifted, as listed

    # Fixed at Vapi after the listing: the listing's drift is not believed, nothing would be written.
    second.rtype.update(second.context(), {})
    mark = ledger.next_index
    seen = first_observe(second)
    assert seen.exists and seen.up_to_date, seen.diff
    assert vapi_calls(ledger, mark) == {"GetCredential": 1}

    # Changed again at Vapi after the listing: the drift acted on is Vapi's state now, not the listing's.
    narrow(sandbox_url, account, second, ["3.80.16.2"])
    mark = ledger.next_index
    seen = first_observe(second)
    assert [g["ip"] for g in seen.diff["gateways"][0]] == ["3.80.16.2"]
    assert vapi_calls(ledger, mark) == {"GetCredential": 1}


def test_an_object_newer_than_the_listing_is_read_by_id(account: dict[str, str], ledger: Any) -> None:
    first, _ = integration(account, 1)
    first_observe(first)
    later, _ = integration(account, 2)  # created after the listing was taken

    mark = ledger.next_index
    assert first_observe(later).up_to_date
    assert vapi_calls(ledger, mark) == {"GetCredential": 1}


def test_a_change_hidden_by_the_listing_is_found_once_the_listing_expires(
    account: dict[str, str], ledger: Any, sandbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit of sharing: a listing shows an object in sync until it expires (one tick by default)."""
    credential, _ = integration(account, 1)
    first_observe(credential)
    narrow(sandbox_url, account, credential, ["3.80.16.1"])
    assert first_observe(credential).up_to_date  # the listing is at most one tick old

    monkeypatch.setattr(shared_reads, "clock", lambda: 1_000_030.0)  # the next tick's bucket
    seen = first_observe(credential)
    assert not seen.up_to_date and set(seen.diff) == {"gateways"}


def test_twilio_numbers_are_shared_only_with_the_same_token(
    account: dict[str, str], ledger: Any, sandbox_url: str
) -> None:
    response = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "twilio"}, timeout=10)
    twilio = response.json()
    sid, token, number = twilio["account_sid"], twilio["auth_token"], twilio["phone_number_sid"]

    mark = ledger.next_index
    with shared_reads.sharing():
        for _ in range(2):
            assert TwilioClient(sid, token).get_number(number).sid == number
    operations = [r.operation for r in ledger.requests(vendor="twilio", since=mark)]
    assert len(operations) == 1 and operations[0].startswith("List"), operations

    # The same Account SID with another token shares nothing: Twilio itself refuses it.
    with shared_reads.sharing(), pytest.raises(AuthFailed):
        TwilioClient(sid, "not-the-token").get_number(number)
