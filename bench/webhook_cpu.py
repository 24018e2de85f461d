"""The in-process half of bench/bench_webhook_cpu.py: CPU time per signed voice webhook call.

Run by the benchmark in its stack's environment (`python -m bench.webhook_cpu ROUNDS CALLS`, the seeded
integration in `BENCH_SEEDED`): each WSGI app is called directly, no HTTP, no gunicorn, one thread, with
a fresh signed call each time, and its CPU time (`time.process_time`) per call is measured: the bare
floor (bench/webhook_http.py `floor_app`), Django's floor (bench/django_floor.py) and the webhook
(controlplane/wsgi.py), alternating ROUNDS times. CPU time is what a saturated server spends per call,
so this splits the HTTP benchmark's ratio into its parts, with less of the machine's noise. Prints
one JSON line.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "controlplane.settings")

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def main(rounds: int, calls: int) -> dict[str, Any]:
    from django.conf import settings

    from bench.webhook_http import Webhook

    seeded = json.loads(os.environ["BENCH_SEEDED"])
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    hook = Webhook(
        base, seeded["public_id"], seeded["account_sid"], seeded["auth_token"], seeded["twilio_number"]
    )
    validator = RequestValidator(hook.auth_token)
    host = urlsplit(base).netloc

    def environ() -> dict[str, Any]:
        params = hook.call_params()
        body = urlencode(params).encode()
        return {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": hook.path,
            "QUERY_STRING": "",
            "SERVER_NAME": host.split(":")[0],
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": host,
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_TWILIO_SIGNATURE": validator.compute_signature(f"{base}{hook.path}", params),
            "HTTP_USER_AGENT": "TwilioProxy/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }

    statuses: dict[str, int] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        statuses[status] = statuses.get(status, 0) + 1

    def cpu_per_call(app: App) -> float:
        requests = [environ() for _ in range(calls)]
        started = time.process_time()
        for request in requests:
            answer = app(request, start_response)
            b"".join(answer)
            getattr(answer, "close", lambda: None)()
        return (time.process_time() - started) / calls

    apps = _apps()
    # The webhook's TwiML for the floors to answer (as bench_webhook_http does).
    twiml = b"".join(apps["webhook"](environ(), start_response))
    with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as file:
        file.write(twiml)
    os.environ["BENCH_FLOOR_TWIML"] = file.name
    for app in apps.values():  # warm-up: imports, the webhook's cache of the integration, connections
        cpu_per_call(app)
    measured: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(rounds):
        for name, app in apps.items():
            measured[name].append(cpu_per_call(app))
    os.unlink(file.name)
    return {
        "calls_per_round": calls,
        "rounds": rounds,
        "cpu_ms": {name: [round(1000 * v, 4) for v in values] for name, values in measured.items()},
        "median_ms": {name: round(1000 * statistics.median(v), 4) for name, v in measured.items()},
        "statuses": statuses,
    }


def _apps() -> dict[str, App]:
    from bench import django_floor
    from bench.webhook_http import floor_app
    from controlplane.wsgi import application

    return {"floor": floor_app, "django floor": django_floor.application, "webhook": application}


if __name__ == "__main__":
    print("CPU-JSON " + json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
