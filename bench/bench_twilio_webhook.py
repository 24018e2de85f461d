"""Benchmark of the Twilio voice webhook (DESIGN §6): its per-request time as a ratio to a bare WSGI floor.

Every case is driven in-process the same way: a WSGI environ for a signed
form POST (signed before timing starts), handed to the application, the body
read and closed. Rows:

- the floor: a bare WSGI app answering the same TwiML bytes;
- Django's own floor: a trivial view answering those bytes through the same
  WSGIHandler and middleware, so the webhook's own work can be told apart;
- the webhook, prepare_inbound off: Django's WSGIHandler, URL resolution,
  signature check, cached integration, TwiML (0 SQL queries, checked);
- the webhook, prepare_inbound on, reported apart: each call makes a real
  HTTP request to the sandbox's Synthflow (a thread of this same process),
  next to that bare round trip;
- the call record's publish alone: every answered call publishes its record to
  the Celery broker before answering (integrations/hooks/call_log.py), so the
  record survives the web process; the bench's broker is the embedded SQLite
  one of `make run` (Redis in production), and its cost is shown apart.

Ratios use medians (the cores are shared). Nothing fails on absolute times;
the run fails only if the webhook, less the broker publish measured alone,
costs more than 10 trivial Django views (Django alone is already tens of
times the bare floor).

Run with `make bench`.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from integrations.hooks import cache
from integrations.tests.twilio_webhook_world import PUBLIC_BASE_URL, WebhookWorld, build_world, dialed_sip

#: requests per case; prepare_inbound makes an HTTP round trip each, so it runs fewer
ITERATIONS = 3000
ITERATIONS_PREPARED = 300
WARMUP = 50
#: fail only on an absurd ratio: the webhook costing more than this many trivial Django views
ABSURD_RATIO_TO_DJANGO = 10.0

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Timing:
    """Per-request times of one case, in seconds."""

    name: str
    samples: list[float]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.samples)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.samples, n=20)[-1]

    @property
    def per_second(self) -> float:
        return 1.0 / self.mean


def environ_for(path: str, body: bytes, signature: str) -> dict[str, Any]:
    """The WSGI environ of Twilio's signed form POST to `path`."""
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "54.172.60.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "testserver",
        "HTTP_USER_AGENT": "TwilioProxy/1.1",
        "HTTP_X_TWILIO_SIGNATURE": signature,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def call(app: WsgiApp, path: str, body: bytes, signature: str) -> tuple[str, bytes]:
    """One request through `app`: (status line, body)."""
    status: list[str] = []

    def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        status.append(line)

    result = app(environ_for(path, body, signature), start_response)
    try:
        content = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return status[0], content


def bare_app(twiml: bytes) -> WsgiApp:
    """The floor: a WSGI app that reads the form and answers `twiml`, nothing else."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
        return [twiml]

    return app


def signed_requests(world: WebhookWorld, count: int) -> list[tuple[bytes, str]]:
    """`count` signed call bodies (a fresh CallSid each), prepared before any timing starts."""
    requests = []
    for _ in range(count):
        params = world.call_params()
        signature = world.sign(f"{PUBLIC_BASE_URL}{world.path}", params)
        requests.append((urlencode(params).encode(), signature))
    return requests


def measure(name: str, app: WsgiApp, path: str, requests: list[tuple[bytes, str]]) -> tuple[Timing, bytes]:
    """Time each request through `app` (the first WARMUP are not counted); the last answer too."""
    last = b""
    samples: list[float] = []
    for index, (body, signature) in enumerate(requests):
        started = time.perf_counter()
        status, last = call(app, path, body, signature)
        elapsed = time.perf_counter() - started
        assert status.startswith("200"), (status, last)
        if index >= WARMUP:
            samples.append(elapsed)
    return Timing(name, samples), last


def prepare_round_trips(world: WebhookWorld, iterations: int) -> Timing:
    """The bare prepare_inbound round trip to the sandbox, as the webhook makes it."""
    client = world.synthflow_client()
    samples: list[float] = []
    for index in range(WARMUP + iterations):
        started = time.perf_counter()
        prepared = client.prepare_inbound(
            from_number="+12065550142",
            to_number=world.integration.config["twilio_number"],
            model_id=world.synthflow["assistant_id"],
            workspace_id=world.synthflow["workspace_id"],
            custom_variables={"caller_city": "SEATTLE"},
            timeout=2.0,
        )
        elapsed = time.perf_counter() - started
        assert prepared.registered
        if index >= WARMUP:
            samples.append(elapsed)
    return Timing("prepare_inbound round trip alone", samples)


def measure_beside_publish(
    app: WsgiApp, world: WebhookWorld, requests: list[tuple[bytes, str]]
) -> tuple[Timing, Timing, bytes]:
    """The webhook (prepare_inbound off) and, alternating with it so both see the same load on the shared
    cores, the call record's publish to the broker alone, as the webhook makes it."""
    from integrations.tasks import record_voice_webhook_task

    record = {"CallSid": "CA" + "0" * 32, "outcome": "dialled", "twiml": "<Response/>"}
    args = [
        world.tenant.pk,
        str(world.integration.pk),
        record["CallSid"],
        record,
        "2026-01-01T00:00:00+00:00",
    ]
    webhook: list[float] = []
    publish: list[float] = []
    last = b""
    for index, (body, signature) in enumerate(requests):
        started = time.perf_counter()
        status, last = call(app, world.path, body, signature)
        between = time.perf_counter()
        record_voice_webhook_task.apply_async(args=args, retry=False)
        ended = time.perf_counter()
        assert status.startswith("200"), (status, last)
        if index >= WARMUP:
            webhook.append(between - started)
            publish.append(ended - between)
    return (
        Timing("webhook, prepare_inbound off", webhook),
        Timing("call record publish alone (embedded broker)", publish),
        last,
    )


def table(floor: Timing, rows: list[Timing], notes: list[str]) -> str:
    """The results as a small text table."""
    lines = [
        "",
        "Twilio voice webhook vs a bare WSGI app answering the same TwiML (in-process)",
        f"{'case':<44} {'n':>5} {'mean µs':>9} {'p50 µs':>9} {'p95 µs':>9} {'req/s':>8} {'x floor':>8}",
        "(x floor: median over the bare WSGI median; medians resist the noise of shared cores)",
    ]
    for row in [floor, *rows]:
        lines.append(
            f"{row.name:<44} {len(row.samples):>5} {row.mean * 1e6:>9.1f} {row.p50 * 1e6:>9.1f} "
            f"{row.p95 * 1e6:>9.1f} {row.per_second:>8.0f} {row.p50 / floor.p50:>7.1f}x"
        )
    lines.extend(notes)
    return "\n".join(lines)


_floor_twiml: list[bytes] = [b""]


@csrf_exempt
def same_twiml(request: HttpRequest) -> HttpResponse:
    """Django's own floor: a view that reads the form and answers the webhook's TwiML, nothing else."""
    request.POST.get("CallSid")
    return HttpResponse(_floor_twiml[0], content_type="text/xml; charset=utf-8")


#: the URLconf of the Django floor (ROOT_URLCONF points here while it is measured)
urlpatterns = [path("floor", same_twiml)]


@pytest.mark.django_db(transaction=True)
def bench_twilio_webhook(sandbox_url: str, settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """The webhook's per-request time as a ratio to the bare WSGI floor, prepare_inbound off and on."""
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    settings.SYNTHFLOW_BASE_URL = f"{sandbox_url}/synthflow"
    cache.clear()
    django_app = WSGIHandler()
    headers = {"X-Caller": "From", "X-City": "FromCity", "X-Called": "To"}
    plain = build_world(sandbox_url, config={"sip_headers": headers})
    requests = signed_requests(plain, WARMUP + ITERATIONS)

    off, publish, twiml = measure_beside_publish(django_app, plain, requests)
    assert dialed_sip(twiml).headers["X-Caller"] == "+12065550142"
    with CaptureQueriesContext(connection) as queries:
        call(django_app, plain.path, *requests[0])
    floor, _ = measure("bare WSGI app, same TwiML (floor)", bare_app(twiml), plain.path, requests)
    _floor_twiml[0] = twiml
    settings.ROOT_URLCONF = __name__
    django_floor, _ = measure("Django view, same TwiML, same middleware", django_app, "/floor", requests)
    settings.ROOT_URLCONF = "controlplane.urls"

    prepared = build_world(
        sandbox_url,
        config={
            "prepare_inbound": True,
            "custom_variables": {"caller_city": "FromCity"},
            "sip_headers": headers,
        },
    )
    prepared_requests = signed_requests(prepared, WARMUP + ITERATIONS_PREPARED)
    on, prepared_twiml = measure(
        "webhook, prepare_inbound on (sandbox)", django_app, prepared.path, prepared_requests
    )
    assert dialed_sip(prepared_twiml).headers["X-EI"].startswith("S.")
    alone = prepare_round_trips(prepared, ITERATIONS_PREPARED)

    # Paired: each webhook call less the publish timed right after it (same moment, same load on the
    # shared cores), then the median; a difference of two medians is swamped by the noise.
    without_publish = statistics.median(w - p for w, p in zip(off.samples, publish.samples, strict=True))
    own = (without_publish - django_floor.p50) * 1e6
    own_prepared = (on.p50 - alone.p50 - publish.p50 - django_floor.p50) * 1e6
    notes = [
        f"SQL queries per cached request: {len(queries.captured_queries)}",
        f"the webhook's own work beyond Django's request handling and the record's publish: ≈ {own:.0f} µs "
        f"per call ({without_publish / django_floor.p50:.1f}x the Django floor)",
        f"the call record's publish (before the answer, so it survives the web process): "
        f"≈ {publish.p50 * 1e6:.0f} µs on the embedded SQLite broker; Redis in production",
        f"prepare_inbound on: ≈ {own_prepared:.0f} µs per call beyond Django and the Synthflow round trip;",
        "  the sandbox answers from a thread of this process, on the same cores.",
    ]
    with capsys.disabled():
        print(table(floor, [django_floor, off, on, alone, publish], notes))
    assert not queries.captured_queries, "a cached webhook request must make no SQL query"
    # Django alone is tens of times the bare WSGI floor, so "absurd" is judged against a trivial
    # Django view behind the same middleware: the webhook's own work must not dwarf it. The broker publish
    # is the durability of the call record, measured alone above and set apart here.
    assert without_publish / django_floor.p50 < ABSURD_RATIO_TO_DJANGO
