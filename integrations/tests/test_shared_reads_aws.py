"""Shared listings of Chime SDK Voice objects in a reconcile pass (issue 15, item 2;
integrations/vendors/aws/service.py `_shared`): integrations on one AWS account list each type once
instead of reading each object by id; an apply reads by id; another account never shares."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from integrations.tests.chime_fixtures import CONNECTOR, SMA_NUMBER
from integrations.tests.resource_harness import Node, first_observe
from integrations.vendors import shared_reads

pytestmark = pytest.mark.usefixtures("fast_resource_waits")


@pytest.fixture
def sharing_on(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.RECONCILE_SHARED_LIST_SECONDS = 30.0
    cache.clear()
    monkeypatch.setattr(shared_reads, "clock", lambda: 1_000_000.0)  # one bucket for the whole test


def chime_calls(sandbox_server: Any, since: int) -> Counter[str]:
    requests = sandbox_server.sandbox.ledger.requests(vendor="chime", since=since)
    return Counter(r.operation for r in requests)


def objects(make_node: Callable[..., Node], count: int) -> list[Node]:
    """`count` integrations' connectors and numbers on the one sandbox AWS account, created."""
    made = []
    for index in range(count):
        made.append(make_node("chime.voice_connector", f"pb-t-i{index}-vc", dict(CONNECTOR)))
        made.append(make_node("chime.phone_number", f"pb-t-i{index}-did", dict(SMA_NUMBER)))
    for node in made:
        node.create()
    return made


def test_connectors_and_numbers_of_one_account_are_listed_once_per_type(
    make_node: Callable[..., Node], sandbox_server: Any, sharing_on: None
) -> None:
    nodes = objects(make_node, 3)

    mark = sandbox_server.sandbox.ledger.next_index
    seen = [first_observe(node) for node in nodes]

    assert all(s.exists and s.up_to_date for s in seen), seen
    assert [s.external_id for s in seen] == [n.external_id for n in nodes]
    assert chime_calls(sandbox_server, mark) == {"ListVoiceConnectors": 1, "ListPhoneNumbers": 1}


def test_an_apply_reads_each_object_by_id(
    make_node: Callable[..., Node], sandbox_server: Any, sharing_on: None
) -> None:
    nodes = objects(make_node, 2)

    mark = sandbox_server.sandbox.ledger.next_index
    seen = [first_observe(node, reconcile=False) for node in nodes]

    assert all(s.exists and s.up_to_date for s in seen), seen
    assert chime_calls(sandbox_server, mark) == {"GetVoiceConnector": 2, "GetPhoneNumber": 2}


def test_a_connector_deleted_after_the_listing_is_missing_from_the_next_listing_and_read_again(
    make_node: Callable[..., Node],
    sandbox_server: Any,
    sharing_on: None,
    aws_client: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, _, second, _ = objects(make_node, 2)
    assert first_observe(first).up_to_date  # the listing is taken, with both connectors in it
    aws_client("chime-sdk-voice").delete_voice_connector(VoiceConnectorId=second.external_id)

    mark = sandbox_server.sandbox.ledger.next_index
    hidden = first_observe(second)
    # Within the listing's bucket it still shows the connector in sync: what a listing can hide until
    # the next pass (shared_reads.py).
    assert hidden.exists and hidden.up_to_date
    assert chime_calls(sandbox_server, mark) == {}

    monkeypatch.setattr(shared_reads, "clock", lambda: 1_000_030.0)  # the next beat tick's bucket
    mark = sandbox_server.sandbox.ledger.next_index
    gone = first_observe(second)
    assert not gone.exists
    # A fresh listing without it, then direct reads before anything is acted on.
    calls = chime_calls(sandbox_server, mark)
    assert calls["ListVoiceConnectors"] == 1 and calls["GetVoiceConnector"] >= 1, calls

    first.spec = {**CONNECTOR, "require_encryption": True}
    mark = sandbox_server.sandbox.ledger.next_index
    drifted = first_observe(first)
    assert drifted.diff, "a drift found in the listing is confirmed by a direct read"
    assert chime_calls(sandbox_server, mark) == {"GetVoiceConnector": 1}
