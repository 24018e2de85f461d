"""The Synthflow stand-in over real HTTP: numbers, assistants, prepare_inbound, calls, auth and errors.

What it answers follows sandbox/synthflow/reference.json (Synthflow's published reference);
every answer here is also parsed strictly against it by the conformance log.
"""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.tests import synthflow_support
from sandbox.tests.synthflow_support import TERMINATION, assert_detail, import_number

# The shared fixtures: a fresh account and a client authenticated as it.
account = synthflow_support.account
synthflow = synthflow_support.synthflow


def test_imported_number_reads_back_flat_and_hides_trunk_credentials(
    synthflow: httpx.Client, account: dict[str, Any]
) -> None:
    created = import_number(synthflow, account)

    assert created["status"] == "ok"
    assert created["response"]["phone_number"] == "+14155550100"
    assert len(created["response"]["key"]) == 36
    number = synthflow.get("/v2/numbers/14155550100", params={"workspace": account["workspace_id"]})
    # GET /v2/numbers/{slug} answers the number itself: no {status, response} envelope.
    shown = number.json()
    assert "response" not in shown
    assert shown["phone_number"] == "+14155550100"
    assert shown["assistants"] == []
    assert shown["sip_term_uri"] == TERMINATION
    assert shown["slug"] == "14155550100"
    assert shown["provider_name"] == "custom"
    assert shown["uac_register_expires"] == 300
    assert shown["is_available"] is True
    assert "digest-secret" not in number.text


def test_missing_required_fields_are_named_in_the_detail_body(synthflow: httpx.Client) -> None:
    response = synthflow.post("/v2/custom-numbers", json={"friendly_name": "x"})

    detail = assert_detail(response, 400, "workspace_id is required", "phone_number is required")
    assert detail["category"] == "validation_error"


def test_custom_number_needs_a_termination_uri_unless_strictness_is_off(
    synthflow: httpx.Client, account: dict[str, Any], sandbox_url: str
) -> None:
    body = {"workspace_id": account["workspace_id"], "phone_number": "+14155550100"}

    assert_detail(synthflow.post("/v2/custom-numbers", json=body), 400, "termination_uri is required")
    httpx.post(f"{sandbox_url}/_sandbox/options", json={"synthflow": {"strict_termination_uri": False}})
    assert synthflow.post("/v2/custom-numbers", json=body).status_code == 200


def test_bad_provider_non_e164_number_and_short_register_expiry_are_refused(
    synthflow: httpx.Client, account: dict[str, Any]
) -> None:
    base = {"workspace_id": account["workspace_id"], "termination_uri": TERMINATION}

    provider = synthflow.post(
        "/v2/custom-numbers", json={**base, "phone_number": "+14155550100", "provider_name": "x"}
    )
    number = synthflow.post("/v2/custom-numbers", json={**base, "phone_number": "4155550100"})
    expiry = synthflow.post(
        "/v2/custom-numbers", json={**base, "phone_number": "+14155550100", "uac_register_expires": 30}
    )
    uac = synthflow.post(
        "/v2/custom-numbers", json={**base, "phone_number": "+14155550100", "uac_enabled": True}
    )

    assert_detail(provider, 400, "provider_name must be one of the following values")
    assert_detail(number, 400, "phone_number must be a valid E.164")
    assert_detail(expiry, 400, "uac_register_expires must not be less than 60")
    assert_detail(uac, 400, "trunk_username is required", "trunk_pwd is required")


def test_zoom_numbers_need_no_e164_and_get_their_sip_domain_filled(
    synthflow: httpx.Client, account: dict[str, Any]
) -> None:
    body = {"workspace_id": account["workspace_id"], "phone_number": "zoom-line-7", "provider_name": "zoom"}

    assert synthflow.post("/v2/custom-numbers", json=body).status_code == 200

    shown = synthflow.get("/v2/numbers/zoom-line-7", params={"workspace": account["workspace_id"]}).json()
    assert shown["sip_term_uri"] == "sip.zoom.com"


def test_a_number_cannot_be_imported_twice(synthflow: httpx.Client, account: dict[str, Any]) -> None:
    import_number(synthflow, account)

    again = synthflow.post(
        "/v2/custom-numbers",
        json={
            "workspace_id": account["workspace_id"],
            "phone_number": "+14155550100",
            "termination_uri": "x.example",
        },
    )

    assert_detail(again, 400, "already imported")


def test_bad_key_gets_401_in_the_detail_shape(sandbox_url: str) -> None:
    response = httpx.get(f"{sandbox_url}/synthflow/v2/assistants", headers={"Authorization": "Bearer nope"})

    assert assert_detail(response, 401)["category"] == "authentication_error"
    assert_detail(httpx.get(f"{sandbox_url}/synthflow/v2/assistants"), 401)


def test_workspace_of_another_account_is_403_and_an_unknown_one_400(
    synthflow: httpx.Client, sandbox_url: str
) -> None:
    other = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "synthflow"}).json()
    body = {"phone_number": "+14155550100", "termination_uri": TERMINATION}

    theirs = synthflow.post("/v2/custom-numbers", json={**body, "workspace_id": other["workspace_id"]})
    unknown = synthflow.post("/v2/custom-numbers", json={**body, "workspace_id": "1700000000000x1"})

    assert_detail(theirs, 403)
    # The reference documents 400 and 403 for an import; no 404.
    assert_detail(unknown, 400, "not found")


def test_numbers_list_pages_and_filters_on_availability(
    synthflow: httpx.Client, account: dict[str, Any]
) -> None:
    for number in ("+14155550100", "+14155550101", "+14155550102"):
        import_number(synthflow, account, number)
    bound = synthflow.put(f"/v2/assistants/{account['assistant_id']}", json={"phone_number": "+14155550101"})
    assert bound.status_code == 200, bound.text
    workspace = account["workspace_id"]

    page = synthflow.get("/v2/numbers", params={"workspace": workspace, "limit": 2, "offset": 1}).json()
    available = synthflow.get("/v2/numbers", params={"workspace": workspace, "is_available": "true"}).json()

    assert page["response"]["pagination"] == {"total_records": 3, "limit": 2, "offset": 1}
    assert [n["number"] for n in page["response"]["phone_numbers"]] == ["+14155550101", "+14155550102"]
    assert [n["number"] for n in available["response"]["phone_numbers"]] == ["+14155550100", "+14155550102"]
    assert_detail(synthflow.get("/v2/numbers"), 400, "workspace is required")


def test_number_update_and_delete_take_no_workspace_and_an_unknown_number_is_400(
    synthflow: httpx.Client, account: dict[str, Any]
) -> None:
    import_number(synthflow, account)
    synthflow.put(f"/v2/assistants/{account['assistant_id']}", json={"phone_number": "+14155550100"})
    workspace = {"workspace": account["workspace_id"]}

    updated = synthflow.patch(
        "/v2/numbers/14155550100", json={"termination_uri": "new.voiceconnector.chime.aws"}
    )
    shown = synthflow.get("/v2/numbers/14155550100", params=workspace).json()
    deleted = synthflow.delete("/v2/numbers/14155550100")

    assert updated.json() == {"status": "ok"}
    assert shown["sip_term_uri"] == "new.voiceconnector.chime.aws"
    assert shown["assistants"] == [account["assistant_id"]]
    assert deleted.json() == {"status": "ok"}
    # 400 is the only error the reference documents for a number's GET, PATCH and DELETE.
    assert_detail(synthflow.get("/v2/numbers/14155550100", params=workspace), 400, "not found")
    assert_detail(synthflow.delete("/v2/numbers/14155550100"), 400, "not found")
    assert_detail(synthflow.patch("/v2/numbers/14155550100", json={"friendly_name": "x"}), 400)
    # "Deleting ... will detach the phone number from any agents it is linked to."
    assistant = synthflow.get(f"/v2/assistants/{account['assistant_id']}").json()["response"]["assistants"][0]
    assert "phone_number" not in assistant


def test_prepare_inbound_registers_a_call_that_lists_under_the_assistant(
    synthflow: httpx.Client, account: dict[str, Any]
) -> None:
    body = {
        "from_number": "+12065551234",
        "to_number": "+14155550100",
        "model_id": account["assistant_id"],
        "workspace_id": account["workspace_id"],
        "custom_variables": {"customer_name": "Ada"},
    }

    prepared = synthflow.post("/v2/prepare_inbound", json=body).json()
    listed = synthflow.get("/v2/calls", params={"model_id": account["assistant_id"]}).json()
    one = synthflow.get(f"/v2/calls/{prepared['synthflow_call_id']}").json()

    assert prepared["call_status"] == "registered"
    assert prepared["direction"] == "inbound"
    assert prepared["custom_variables"] == {"customer_name": "Ada"}
    assert [c["call_id"] for c in listed["response"]["calls"]] == [prepared["synthflow_call_id"]]
    assert listed["response"]["calls"][0]["call_status"] == "registered"
    assert listed["response"]["calls"][0]["lead_phone_number"] == "+12065551234"
    # The single GET names the status `status` and shows the variables as prompt variables.
    assert [c["status"] for c in one["response"]["calls"]] == ["registered"]
    assert one["response"]["calls"][0]["prompt_variables"] == {"customer_name": "Ada"}


def test_prepare_inbound_refuses_bad_numbers_variables_and_outbound_assistants(
    synthflow: httpx.Client, account: dict[str, Any]
) -> None:
    outbound = synthflow.post("/v2/assistants", json={"type": "outbound", "name": "o", "agent": {}}).json()
    base = {
        "from_number": "+12065551234",
        "to_number": "+14155550100",
        "model_id": account["assistant_id"],
        "workspace_id": account["workspace_id"],
    }

    bad_number = synthflow.post("/v2/prepare_inbound", json={**base, "to_number": "555"})
    bad_vars = synthflow.post("/v2/prepare_inbound", json={**base, "custom_variables": {"n": 1}})
    wrong_kind = synthflow.post(
        "/v2/prepare_inbound", json={**base, "model_id": outbound["response"]["model_id"]}
    )

    assert_detail(bad_number, 400, "to_number must be a valid E.164")
    assert_detail(bad_vars, 400, "custom_variables values must be strings")
    assert_detail(wrong_kind, 400, "not an inbound assistant")


def test_prepare_inbound_reports_failed_during_a_simulated_outage(
    synthflow: httpx.Client, account: dict[str, Any], sandbox_url: str
) -> None:
    httpx.post(f"{sandbox_url}/_sandbox/options", json={"synthflow": {"prepare_inbound_outage": True}})
    body = {
        "from_number": "+12065551234",
        "to_number": "+14155550100",
        "model_id": account["assistant_id"],
        "workspace_id": account["workspace_id"],
    }

    answer = synthflow.post("/v2/prepare_inbound", json=body)

    assert answer.status_code == 200
    assert answer.json()["call_status"] == "failed"
    calls = synthflow.get("/v2/calls", params={"model_id": account["assistant_id"]}).json()
    assert calls["response"]["calls"] == []


def test_outbound_call_is_queued_and_needs_model_phone_and_name(synthflow: httpx.Client) -> None:
    outbound = synthflow.post("/v2/assistants", json={"type": "outbound", "name": "o", "agent": {}}).json()
    model_id = outbound["response"]["model_id"]

    created = synthflow.post(
        "/v2/calls",
        json={
            "model_id": model_id,
            "phone": "+12065551234",
            "name": "Ada",
            "custom_variables": [{"key": "k", "value": "v"}],
        },
    )
    missing = synthflow.post("/v2/calls", json={"model_id": model_id})
    listing = synthflow.get("/v2/calls")

    assert created.json()["response"]["call_id"]
    assert_detail(missing, 400, "phone is required", "name is required")
    assert_detail(listing, 400, "model_id is required")


def test_unknown_path_is_404_and_wrong_method_is_405(synthflow: httpx.Client) -> None:
    assert_detail(synthflow.get("/v2/agents-of-chaos"), 404)
    wrong = synthflow.post("/v2/numbers")
    assert assert_detail(wrong, 405)["category"] == "method_not_allowed"
    assert wrong.headers["Allow"] == "GET"


def test_ledger_names_numbers_and_assistants(
    synthflow: httpx.Client, account: dict[str, Any], sandbox_url: str
) -> None:
    import_number(synthflow, account)

    objects = httpx.get(f"{sandbox_url}/_sandbox/ledger").json()["objects"]

    synthflow_objects = {(o["type"], o["name"]) for o in objects if o["vendor"] == "synthflow"}
    assert synthflow_objects == {
        ("synthflow.number", "pb-acme-support-number"),
        ("synthflow.assistant", "Sandbox inbound assistant"),
    }
