"""Migration 0002 fills in From / To and the far end of the calls stored before it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from calls.grouping import ObservedMessage
from calls.sip_message import parse_sip_message
from calls.tests.sip_samples import VAPI_HOST, answered_call

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE, AFTER = [("calls", "0001_initial")], [("calls", "0002_call_search_fields")]


def migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_calls_stored_before_the_search_fields_get_their_numbers_and_far_end(transactional_db: Any) -> None:
    old = migrate(BEFORE)
    try:
        Tenant = old.get_model("tenants", "Tenant")
        SipCall = old.get_model("calls", "SipCall")
        SipMessageRecord = old.get_model("calls", "SipMessageRecord")
        tenant = Tenant.objects.create(name="Old calls", slug="old-calls")
        at = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
        call = SipCall.objects.create(
            tenant=tenant, source="upload", call_id="old@x", started_at=at, ended_at=at, final_status=200
        )
        for seq, text in enumerate(answered_call("old@x")):
            parsed = ObservedMessage(at=at, message=parse_sip_message(text), fingerprint=str(seq)).message
            src = "connector" if parsed.is_request and parsed.method != "BYE" else VAPI_HOST
            dst = VAPI_HOST if src == "connector" else "connector"
            SipMessageRecord.objects.create(
                tenant=tenant, call=call, at=at, seq=seq, src=src, dst=dst, label=parsed.label,
                raw=text, headers=parsed.as_json(), fingerprint=str(seq),
            )  # fmt: skip

        new = migrate(AFTER)

        filled = new.get_model("calls", "SipCall").objects.get(pk=call.pk)
        assert (filled.from_number, filled.to_number) == ("+12065550100", "+15551230000")
        assert filled.far_end == VAPI_HOST  # the host that sent the INVITE's 200 OK
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
