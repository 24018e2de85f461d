"""The requests of the soak, in order, each a `Row` with the statuses it expects and its time bound.

`Client` knows where the server is and who the soak is (token, login, Twilio auth token); the
`*_rows` functions send their requests through it, each adding its rows to `client.rows`. Expected
statuses are what issue 13 asks for; a row only measures and reports, it never retries.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bench.soak import payloads
from bench.soak.probe import Answer, Measured, MemoryPeak, measure, send
from bench.soak.report import Row

MB = payloads.MB
#: seconds allowed per request, by kind: far below what issue 13 measured before the fixes (18-20 s
#: for a 240 KB pathological trace, 96 s for 16.6 MB, 12.7 s for 30 logins), far above a quiet
#: machine's times (the cores are shared: other work can triple them)
QUICK = 5.0
UPLOAD = 15.0
BIG_UPLOAD = 30.0
#: the brute force: wrong passwords, then the right one
WRONG_PASSWORDS = 30
BAD_TOKEN_REQUESTS = 30
REPLAYS = 3
FORGED_LOG_LINE = "FORGED-LOG-LINE admin logged in from 10.0.0.1"
LONG_CALL_SID_BYTES = int(2.4 * MB)
#: a chunked body has no Content-Length for the limit to read: refused as too large or as empty
CHUNKED = (400, 411, 413)


@dataclass
class Client:
    """Requests to one server as the soak's user, measuring the memory of `pids()`."""

    host: str
    port: int
    seeded: dict[str, Any]
    pids: Callable[[], list[int]]
    rows: list[Row] = field(default_factory=list)

    def row(self, name: str, expect: tuple[int, ...], bound: float) -> Row:
        row = Row(name, expect, bound)
        self.rows.append(row)
        return row

    def request(self, row: Row, method: str, path: str, **kwargs: Any) -> Answer:
        measured = measure(self.pids, lambda: send(self.host, self.port, method, path, **kwargs))
        row.measured.append(measured)
        return measured.answer

    @property
    def api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.seeded['token']}"}

    # --- traces -------------------------------------------------------------------------------------

    def upload(self, name: str, content: bytes, expect: tuple[int, ...], bound: float = UPLOAD) -> Row:
        """POST `content` to traces/ as the multipart field `file`."""
        row = self.row(f"trace: {name} ({_size(len(content))})", expect, bound)
        answer = self.request(row, "POST", "/api/v1/traces/", **self.upload_request(content))
        row.notes.append(_what_it_said(answer))
        return row

    def upload_request(self, content: bytes) -> dict[str, Any]:
        """The headers and multipart body of a trace upload (arguments of `send`)."""
        boundary = "soak" + secrets.token_hex(8)
        body = payloads.multipart("file", "trace.txt", content, boundary)
        headers = {**self.api_headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        return {"headers": headers, "body": body}

    def uploads_beside_health(self, content: bytes, count: int) -> None:
        """`count` uploads of `content` at once (one row), and /healthz while they run (another).

        Issue 13: three 600 KB pathological uploads kept every gunicorn worker busy for minutes."""
        uploads = self.row(f"trace: {count} at once, endless INVITE ({_size(len(content))})", (400,), UPLOAD)
        health = self.row(f"GET /healthz while those {count} uploads run", (200,), QUICK)
        done: list[Measured] = []

        def upload() -> None:
            started = time.perf_counter()
            answer = send(self.host, self.port, "POST", "/api/v1/traces/", **self.upload_request(content))
            done.append(Measured(answer, time.perf_counter() - started, None))

        with MemoryPeak(self.pids) as peak:
            threads = [threading.Thread(target=upload) for _ in range(count)]
            for thread in threads:
                thread.start()
            time.sleep(0.05)  # the uploads are on their way to the workers
            started = time.perf_counter()
            answer = send(self.host, self.port, "GET", "/healthz")
            # No memory of its own: resetting the peaks now would hide the uploads' before it.
            health.measured.append(Measured(answer, time.perf_counter() - started, None))
            for thread in threads:
                thread.join()
        uploads.measured = [Measured(m.answer, m.seconds, peak.result()) for m in done]
        uploads.notes.append(_what_it_said(done[0].answer))
        health.notes.append(f"answered before {sum(m.seconds > health.seconds for m in done)} of them")

    def upload_streamed(self, size: int, chunked: bool = False) -> Row:
        """A body of `size` bytes made as it is sent; `chunked`: without a Content-Length."""
        if chunked:
            row = self.row(f"trace: {size // MB} MB body, chunked, no Content-Length", CHUNKED, BIG_UPLOAD)
        else:
            row = self.row(f"trace: {size // MB} MB body, streamed", (413,), BIG_UPLOAD)
        boundary = "soak" + secrets.token_hex(8)
        length, chunks = payloads.streamed_multipart("file", "huge.txt", size, boundary)
        headers = {**self.api_headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        answer = self.request(
            row, "POST", "/api/v1/traces/", headers=headers, body=chunks, length=length, chunked=chunked
        )
        row.notes.append(f"answered after {answer.sent / MB:.1f} MB of {length / MB:.0f} MB sent")
        if answer.error:
            row.notes.append(answer.error)
        return row

    def get(self, row: Row, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request(row, "GET", path, headers=headers or self.api_headers)

    # --- the voice webhook --------------------------------------------------------------------------

    @property
    def webhook_path(self) -> str:
        return f"/hooks/twilio/voice/{self.seeded['public_id']}"

    def call_params(self, **overrides: str) -> dict[str, str]:
        return payloads.call_params(self.seeded["account_sid"], self.seeded["twilio_number"], **overrides)

    def sign(self, params: dict[str, str], token: str | None = None) -> str:
        url = f"http://{self.host}:{self.port}{self.webhook_path}"
        return payloads.signature(token or self.seeded["auth_token"], url, params)

    def webhook(
        self, row: Row, params: dict[str, str], signature: str | None, body: bytes | None = None
    ) -> Answer:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        content = payloads.form(params) if body is None else body
        return self.request(row, "POST", self.webhook_path, headers=headers, body=content)

    # --- the login page -----------------------------------------------------------------------------

    def login(self, row: Row, password: str) -> Answer:
        """GET the login page (unmeasured) for its CSRF token, then the measured POST."""
        page = send(self.host, self.port, "GET", "/accounts/login/")
        cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("set-cookie", ""))
        field_value = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if cookie is None or field_value is None:
            raise SystemExit(f"soak: the login page ({page.status}) has no CSRF token")
        form = {
            "csrfmiddlewaretoken": field_value.group(1).decode(),
            "username": self.seeded["email"],
            "password": password,
        }
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie.group(1)}",
        }
        return self.request(row, "POST", "/accounts/login/", headers=headers, body=urlencode(form).encode())


def _size(count: int) -> str:
    return f"{count / MB:.1f} MB" if count >= MB else f"{count // 1024} KB"


def _what_it_said(answer: Answer) -> str:
    """The point of an API answer: the error code, or how many calls a stored trace holds."""
    try:
        data = json.loads(answer.body)
    except ValueError:
        return answer.error or "not JSON"
    if not isinstance(data, dict):
        return "JSON"
    if "calls" in data:
        return f"{len(data['calls'])} calls stored"
    return str(data.get("code") or data.get("detail") or "")[:60]


def baseline_rows(client: Client) -> None:
    client.get(client.row("GET /healthz (baseline)", (200,), QUICK), "/healthz", headers={})


def trace_rows(client: Client) -> None:
    """Issue 13 items 1-2: pathological traces next to normal ones of their size, then the listing."""
    for name, content, expect_normal, bound in [
        ("INVITE, Content-Length 999999999, 60,000 lines", payloads.endless_invite(), 201, UPLOAD),
        ("60,000 header lines, no blank line", payloads.headers_without_end(), 201, UPLOAD),
        ("70,000 messages", payloads.many_short_messages(), 400, BIG_UPLOAD),
    ]:
        bad = client.upload(name, content, (400,), bound)
        normal = client.upload(
            "normal, same size", payloads.normal_trace(len(content)), (expect_normal,), bound
        )
        bad.notes.append(f"{bad.seconds / max(normal.seconds, 1e-6):.2f}x the time of the normal one")
    client.uploads_beside_health(payloads.endless_invite(150_000), 3)
    client.upload("500 calls, 3,500 messages (the most accepted)", payloads.calls_trace(500), (201,))
    client.upload_streamed(200 * MB)
    client.upload_streamed(200 * MB, chunked=True)
    row = client.row("GET traces/?page_size=1 after the uploads", (200,), QUICK)
    answer = client.get(row, "/api/v1/traces/?page_size=1")
    results = json.loads(answer.body).get("results") if answer.status == 200 else None
    if results:
        row.notes.append(f"{len(results[0].get('calls', []))} call summaries in the newest trace")


def webhook_rows(client: Client) -> None:
    """Issue 13 item 3: refused webhooks, a signed call and its replays."""
    client.webhook(client.row("webhook: unsigned", (403,), QUICK), client.call_params(), None)
    forged = client.sign(client.call_params(), token="not-the-auth-token")
    client.webhook(client.row("webhook: forged signature", (403,), QUICK), client.call_params(), forged)
    params = client.call_params(CallSid="CA" + "0" * 32 + "\n" + FORGED_LOG_LINE)
    client.webhook(client.row("webhook: unsigned, newline in CallSid", (403,), QUICK), params, None)
    params = client.call_params(CallSid="CA" + "9" * LONG_CALL_SID_BYTES)
    client.webhook(client.row("webhook: unsigned, 2.4 MB CallSid", (403,), QUICK), params, None)
    params = payloads.many_fields(client.call_params())
    row = client.row("webhook: forged, 1,500 fields", (403,), QUICK)
    client.webhook(row, params, forged)
    row = client.row("webhook: forged, 2.6 MB body", (403, 413), QUICK)
    client.webhook(row, payloads.big_form(client.call_params()), forged)
    params = client.call_params()
    row = client.row("webhook: signed", (200,), QUICK)
    first = client.webhook(row, params, client.sign(params))
    row.notes.append("dials SIP" if b"<Sip" in first.body else "does not dial SIP")
    row = client.row(f"webhook: the signed request replayed x{REPLAYS}", (200,), QUICK)
    for _ in range(REPLAYS):
        client.webhook(row, params, client.sign(params))
    same = all(m.answer.body == first.body for m in row.measured)
    row.notes.append("same answer as the first" if same else "a different answer than the first")


def brute_force_rows(client: Client) -> None:
    """Issue 13 item 7: a bad API token, then wrong passwords and the right one."""
    row = client.row(f"API with a bad token x{BAD_TOKEN_REQUESTS}", (401, 403, 429), QUICK)
    for _ in range(BAD_TOKEN_REQUESTS):
        client.get(row, "/api/v1/traces/", headers={"Authorization": "Token " + secrets.token_hex(20)})
    row = client.row(f"login: wrong password x{WRONG_PASSWORDS}", (200, 429), QUICK)
    for _ in range(WRONG_PASSWORDS):
        client.login(row, "wrong-" + secrets.token_hex(6))
    row = client.row("login: the right password after them", (429,), QUICK)
    client.login(row, client.seeded["password"])
    row.notes.append("locked out" if row.statuses.get(429) else "logged in")


def run_all(client: Client) -> None:
    """Every row, in order."""
    baseline_rows(client)
    trace_rows(client)
    webhook_rows(client)
    brute_force_rows(client)
