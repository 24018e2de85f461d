"""The Synthflow stand-in's assistants over real HTTP: an inbound agent answers its own `phone_number`,
numbers attach to outbound agents only, and undocumented fields are refused (reference.json)."""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.tests import synthflow_support
from sandbox.tests.synthflow_support import assert_detail, import_number

account = synthflow_support.account
synthflow = synthflow_support.synthflow


def test_undocumented_fields_and_parameters_are_refused(
    synthflow: httpx.Client, account: dict[str, Any]
) -> None:
    import_number(synthflow, account)

    extra_query = synthflow.patch(
        "/v2/numbers/14155550100", params={"workspace": account["workspace_id"]}, json={"friendly_name": "x"}
    )
    extra_body = synthflow.put(f"/v2/assistants/{account['assistant_id']}", json={"phone_numbers": ["+1"]})
    type_change = synthflow.put(f"/v2/assistants/{account['assistant_id']}", json={"type": "outbound"})

    assert_detail(extra_query, 400, "query parameter workspace is not documented")
    assert_detail(extra_body, 400, "phone_numbers is not a documented field")
    # `type` is not among the update's documented fields.
    assert_detail(type_change, 400, "type is not a documented field")


def test_assistant_create_get_partial_update_and_delete(synthflow: httpx.Client) -> None:
    body = {
        "type": "outbound",
        "name": "pb-acme-outbound",
        "agent": {"prompt": "Be brief", "llm": "gpt-4.1", "language": "en-US", "voice_id": "v1"},
    }
    created = synthflow.post("/v2/assistants", json=body).json()
    model_id = created["response"]["model_id"]

    synthflow.put(f"/v2/assistants/{model_id}", json={"agent": {"prompt": "Be kind"}}).raise_for_status()
    got = synthflow.get(f"/v2/assistants/{model_id}").json()["response"]
    deleted = synthflow.delete(f"/v2/assistants/{model_id}")

    assert created["details"] == {"voice": "v1"}
    assert len(got["assistants"]) == 1
    assert got["assistants"][0]["agent"] == {
        "prompt": "Be kind",
        "llm": "gpt-4.1",
        "language": "en-US",
        "voice_id": "v1",
    }
    assert got["assistants"][0]["attached_phone_numbers"] == []
    assert "phone_numbers" not in got["assistants"][0]
    assert deleted.json()["status"] == "ok"
    # 400 is the only error documented for GET /v2/assistants/{model_id}.
    assert_detail(synthflow.get(f"/v2/assistants/{model_id}"), 400, "not found")


def test_assistant_needs_type_name_and_agent_and_a_known_type(synthflow: httpx.Client) -> None:
    missing = synthflow.post("/v2/assistants", json={"name": "x"})
    bad_type = synthflow.post("/v2/assistants", json={"type": "chat", "name": "x", "agent": {}})
    bad_llm = synthflow.post(
        "/v2/assistants", json={"type": "inbound", "name": "x", "agent": {"llm": "gpt-2"}}
    )
    bad_zone = synthflow.post(
        "/v2/assistants", json={"type": "inbound", "name": "x", "agent": {"timezone": "Mars/Olympus"}}
    )

    assert_detail(missing, 400, "type is required", "agent is required")
    assert_detail(bad_type, 400, "type must be one of the following values: outbound, inbound, widget")
    assert_detail(bad_llm, 400, "agent.llm must be one of")
    assert_detail(bad_zone, 400, "agent.timezone 'Mars/Olympus' is not a valid iana-timezone")


def test_an_inbound_agent_answers_its_phone_number_one_agent_per_number(
    synthflow: httpx.Client, account: dict[str, Any]
) -> None:
    import_number(synthflow, account, "+14155550100")
    import_number(synthflow, account, "+14155550101")
    inbound = account["assistant_id"]
    other = synthflow.post("/v2/assistants", json={"type": "inbound", "name": "pb-second", "agent": {}})
    other_id = other.json()["response"]["model_id"]

    first = synthflow.put(f"/v2/assistants/{inbound}", json={"phone_number": "+14155550100"})
    shared = synthflow.put(f"/v2/assistants/{other_id}", json={"phone_number": "+14155550100"})
    unknown = synthflow.put(f"/v2/assistants/{inbound}", json={"phone_number": "+14155550199"})
    empty = synthflow.put(f"/v2/assistants/{inbound}", json={"phone_number": ""})
    got = synthflow.get(f"/v2/assistants/{inbound}").json()["response"]["assistants"][0]
    listed = synthflow.get("/v2/numbers", params={"workspace": account["workspace_id"]}).json()

    assert first.json()["details"] == {"phone": "+14155550100"}
    assert got["phone_number"] == "+14155550100"
    assert got["attached_phone_numbers"] == []
    assert_detail(shared, 400, "already serves inbound assistant")
    assert_detail(unknown, 400, "not found")
    # Unbinding by an empty number is not documented: refused, the number stays.
    assert_detail(empty, 400)
    assert [n["is_available"] for n in listed["response"]["phone_numbers"]] == [False, True]
    # Another number replaces the agent's number (PUT changes "an agent's ... phone number").
    synthflow.put(f"/v2/assistants/{inbound}", json={"phone_number": "+14155550101"}).raise_for_status()
    assert synthflow.put(f"/v2/assistants/{other_id}", json={"phone_number": "+14155550100"}).is_success


def test_phone_numbers_attach_to_outbound_agents_only(
    synthflow: httpx.Client, account: dict[str, Any]
) -> None:
    import_number(synthflow, account, "+14155550100")
    import_number(synthflow, account, "+14155550101")
    outbound = synthflow.post("/v2/assistants", json={"type": "outbound", "name": "o", "agent": {}})
    outbound_id = outbound.json()["response"]["model_id"]

    inbound = synthflow.put(
        f"/v2/assistants/{account['assistant_id']}/phone_numbers", json={"phone_numbers": ["+14155550100"]}
    )
    both = synthflow.put(
        f"/v2/assistants/{outbound_id}/phone_numbers",
        json={"phone_numbers": ["+14155550100"], "phone_number_slugs": ["14155550101"]},
    )
    many = synthflow.put(
        f"/v2/assistants/{outbound_id}/phone_numbers",
        json={"phone_number_slugs": ["14155550100", "14155550101"]},
    )
    unknown = synthflow.put(
        f"/v2/assistants/{outbound_id}/phone_numbers", json={"phone_numbers": ["+14155550199"]}
    )
    got = synthflow.get(f"/v2/assistants/{outbound_id}").json()["response"]["assistants"][0]

    assert_detail(inbound, 400, "attached to outbound agents")
    assert_detail(both, 400, "exactly one of phone_numbers or phone_number_slugs")
    assert many.json() == {"status": "ok"}
    assert_detail(unknown, 404)
    assert got["attached_phone_numbers"] == [
        {"number": "+14155550100", "sid": None, "slug": "14155550100"},
        {"number": "+14155550101", "sid": None, "slug": "14155550101"},
    ]
    # Outbound attachments do not make a number unavailable for inbound assignment.
    listed = synthflow.get(
        "/v2/numbers", params={"workspace": account["workspace_id"], "is_available": "true"}
    )
    assert len(listed.json()["response"]["phone_numbers"]) == 2
    detached = synthflow.delete(f"/v2/assistants/{outbound_id}/phone_numbers/14155550100")
    again = synthflow.delete(f"/v2/assistants/{outbound_id}/phone_numbers/14155550100")
    assert detached.json() == {"status": "ok"}
    assert_detail(again, 404)
