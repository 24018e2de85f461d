"""Conformance of Patchbay's Synthflow client to the published reference (sandbox/synthflow/reference.json).

Synthflow ships no SDK; its OpenAPI and guides are transcribed, a source per rule, into
the rules file. Here every request Patchbay's client sends, for every operation it uses,
is checked against the file's request rules, and every answer the sandbox gives is
parsed strictly into the documented answer shape (an undocumented or missing field
fails). The exchanges are captured on the wire by an httpx event hook on Patchbay's
pooled client, independently of the sandbox. The same checks run for every other test
too: the `sandbox_url` fixture fails a test whose Synthflow exchanges depart from the
file (sandbox/synthflow/conformance.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from integrations.vendors.errors import NotFound
from integrations.vendors.http import pooled_client
from integrations.vendors.synthflow import SynthflowClient
from sandbox.core.field_rules import check
from sandbox.synthflow import reference, rules
from sandbox.synthflow.conformance import UNMODELLED
from sandbox.synthflow.stand_in import ROUTES

NUMBER = "+14155550100"
#: every operation Patchbay's Synthflow client uses (integrations/vendors/synthflow.py)
PATCHBAY_OPERATIONS = {
    "CreateCustomNumber",
    "ListNumbers",
    "GetNumber",
    "UpdateNumber",
    "DeleteNumber",
    "GetAssistant",
    "UpdateAssistant",
    "PrepareInbound",
    "ListCalls",
    "GetCall",
}


@dataclass
class Exchange:
    """One request Patchbay's client sent and the answer it got, as seen on the wire."""

    operation: str
    method: str
    query: dict[str, str]
    body: Any
    status: int
    answer: Any

    def request_problems(self) -> list[str]:
        body = self.body if isinstance(self.body, dict) else {}
        options = {"strict_termination_uri": True}
        violations = [
            *check(self.query, rules.query_rules(self.operation), options=options, from_strings=True),
            *check(body, rules.body_rules(self.operation), options=options),
        ]
        return [v.message for v in violations] + reference.request_problems(
            self.operation, self.query, self.body
        )

    def answer_problems(self) -> list[str]:
        return reference.answer_problems(
            self.operation, self.status, self.answer, unmodelled=UNMODELLED.get(self.operation)
        )


@pytest.fixture
def wire(sandbox_url: str, settings: Any) -> Iterator[list[Exchange]]:
    """Every Synthflow exchange of Patchbay's pooled client during the test, named by operation."""
    settings.SYNTHFLOW_BASE_URL = f"{sandbox_url}/synthflow"
    seen: list[Exchange] = []

    def record(response: httpx.Response) -> None:
        response.read()
        request = response.request
        path = request.url.path.removeprefix("/synthflow")
        match = ROUTES.match(request.method, path)
        assert match.route is not None, f"Patchbay called {request.method} {path}, not a Synthflow operation"
        content = request.content.decode()
        seen.append(
            Exchange(
                operation=match.route.operation,
                method=request.method,
                query=dict(parse_qsl(request.url.query.decode(), keep_blank_values=True)),
                body=json.loads(content) if content else None,
                status=response.status_code,
                answer=response.json(),
            )
        )

    hooks = pooled_client("synthflow").event_hooks
    hooks["response"].append(record)
    yield seen
    hooks["response"].remove(record)


def _workload(client: SynthflowClient, account: dict[str, str]) -> None:
    """What Patchbay does with Synthflow over an integration's life, each client method once or more."""
    workspace, model_id = account["workspace_id"], account["assistant_id"]
    with pytest.raises(NotFound):
        client.get_number(workspace, NUMBER)  # observe before the import: 400, then the list
    client.import_custom_number(
        workspace,
        NUMBER,
        friendly_name="pb-acme-front-desk",
        termination_uri="abc.voiceconnector.chime.aws",
        trunk_username="pb-user",
        trunk_password="pb-secret-1234",
    )
    client.get_number(workspace, NUMBER)
    client.update_number(workspace, NUMBER, {"termination_uri": "def.voiceconnector.chime.aws"})
    client.list_numbers(workspace, is_available=True)
    client.set_assistant_number(model_id, NUMBER)
    client.get_assistant(model_id)
    prepared = client.prepare_inbound(
        from_number="+12065550142",
        to_number=NUMBER,
        model_id=model_id,
        workspace_id=workspace,
        custom_variables={"caller_city": "SEATTLE"},
        timeout=5.0,
    )
    client.get_call(prepared.synthflow_call_id)
    client.list_calls(model_id, since_ms=0, limit=5)
    client.list_calls(model_id, call_status="registered")
    client.delete_number(workspace, NUMBER)
    with pytest.raises(NotFound):
        client.delete_number(workspace, NUMBER)  # already gone: 400, then the list


def test_every_request_patchbay_sends_and_every_answer_it_gets_conform_to_the_reference(
    wire: list[Exchange], sandbox_url: str
) -> None:
    made = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "synthflow"}, timeout=10).json()

    _workload(SynthflowClient(made["api_key"], "global"), made)

    assert {e.operation for e in wire} == PATCHBAY_OPERATIONS
    requests = {f"{e.method} {e.operation} {e.query}": e.request_problems() for e in wire}
    answers = {f"{e.operation} → {e.status}": e.answer_problems() for e in wire}
    assert {k: v for k, v in requests.items() if v} == {}
    assert {k: v for k, v in answers.items() if v} == {}
    # The number's read is the documented flat object, and its absence the documented 400.
    reads = [e for e in wire if e.operation == "GetNumber"]
    assert [e.status for e in reads] == [400, 200]
    assert "response" not in reads[1].answer and reads[1].answer["phone_number"] == NUMBER


def test_the_strict_parse_refuses_an_envelope_an_unknown_field_and_a_missing_one() -> None:
    flat = {"status": "ok", "response": {"slug": "14155550100", "phone_number": NUMBER}}
    calls = {"status": "ok", "response": {"pagination": {}, "calls": [{"call_id": "c", "phone_numbers": []}]}}

    wrapped = reference.answer_problems("GetNumber", 200, flat)
    extra = reference.answer_problems("ListCalls", 200, calls)

    assert "answer.response is not documented" in wrapped
    assert "answer.sip_term_uri is missing" in wrapped
    assert "answer.response.calls.0.phone_numbers is not documented" in extra
    assert "answer.response.calls.0.model_id is missing" in extra
    assert reference.answer_problems("GetNumber", 404, {}) == [
        "GetNumber does not document status 404 (documented: 200, 400)"
    ]


def test_the_request_rules_refuse_what_synthflow_does_not_document() -> None:
    attach_inbound = reference.request_problems("UpdateAssistant", {}, {"phone_numbers": [NUMBER]})
    workspace_on_patch = reference.request_problems("UpdateNumber", {"workspace": "w"}, {})
    both_lists = reference.request_problems(
        "AttachPhoneNumbers", {}, {"phone_numbers": [NUMBER], "phone_number_slugs": ["14155550100"]}
    )

    assert attach_inbound == ["phone_numbers is not a documented field"]
    assert workspace_on_patch == ["query parameter workspace is not documented"]
    assert both_lists == ["exactly one of phone_numbers or phone_number_slugs is required"]
