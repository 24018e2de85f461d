"""`make soak` (bench/soak/) is outside `make test`; this runs a small part of it in-process, against the
live test server, so its client, its rows and its table cannot rot unnoticed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bench.soak import payloads
from bench.soak.probe import Answer, Measured, this_process
from bench.soak.report import Row, table
from bench.soak.scenarios import Client
from tenants.choices import Role
from testing.world import TenantWorld


def soak_client(live_server: Any) -> Client:
    world = TenantWorld.build("soak")
    address = urlsplit(live_server.url)
    assert address.hostname is not None and address.port is not None
    return Client(address.hostname, address.port, {"token": world.key(Role.OPERATOR)}, this_process)


def test_the_soak_reports_a_pathological_trace_refused_and_a_normal_one_stored(
    transactional_db: Any, live_server: Any
) -> None:
    client = soak_client(live_server)
    endless = payloads.endless_invite()

    refused = client.upload("endless INVITE", endless, (400,))
    stored = client.upload("normal, same size", payloads.normal_trace(len(endless)), (201,))
    printed = table(client.rows, memory_bound_mb=100_000)

    assert refused.statuses == {400: 1} and refused.notes == ["too_many_lines"]
    assert stored.statuses == {201: 1} and stored.notes[0].endswith("calls stored")
    assert not refused.problems(100_000) and not stored.problems(100_000)
    header, rule, *lines = printed.splitlines()
    assert header.split("|")[1].strip() == "request" and "peak RSS MB" in header
    assert set(rule) <= {"|", "-"}
    assert lines[0].startswith("| trace: endless INVITE (234 KB)") and "| 400 " in lines[0]
    assert lines[0].rstrip().endswith("| ok — too_many_lines |")


def test_a_streamed_body_over_the_limit_is_answered_before_it_is_all_sent(
    transactional_db: Any, live_server: Any, settings: Any
) -> None:
    settings.TRACE_MAX_BYTES = 1024 * 1024
    client = soak_client(live_server)

    row = client.upload_streamed(64 * payloads.MB)

    assert row.statuses == {413: 1}
    assert row.measured[0].answer.sent < 8 * payloads.MB, row.notes


def test_a_row_fails_on_a_server_error_an_unexpected_status_or_a_missing_answer() -> None:
    def measured(status: int, error: str = "") -> Measured:
        return Measured(Answer(status, {}, b"", 0, error), 0.01, (50_000, 1_000))

    server_error = Row("a", (200,), 1.0, [measured(200), measured(502)])
    unexpected = Row("b", (403,), 1.0, [measured(200)])
    no_answer = Row("c", (200,), 1.0, [measured(0, "ConnectionResetError")])
    fine = Row("d", (200, 429), 1.0, [measured(200), measured(429), measured(429)])

    assert server_error.problems(300) == ["502: a server error"]
    assert unexpected.problems(300) == ["200: expected 403"]
    assert no_answer.problems(300) == ["no answer: ConnectionResetError"]
    assert fine.problems(300) == []
    assert fine.problems(10) == ["peak RSS 49 MB: over the bound of 10 MB"]
    assert "| 200x1 429x2 " in table([fine], 300)
