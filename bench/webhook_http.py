"""The pieces of bench/bench_webhook_http.py: the floor's WSGI app, signed request files, and wrk.

The floor is `floor_app`, served by its own gunicorn with the same workers and
threads as Patchbay's: it reads the form body and answers the TwiML bytes in
the file named by `BENCH_FLOOR_TWIML` (the webhook's own answer), nothing else.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

WRK = "/usr/bin/wrk"
LUA_SCRIPT = Path(__file__).with_name("webhook_http.lua")
WRK_THREADS = 2
CALLER = "+12065550142"

_floor_twiml: list[bytes] = []


def floor_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The floor: read the form, answer the webhook's TwiML bytes."""
    if not _floor_twiml:
        _floor_twiml.append(Path(os.environ["BENCH_FLOOR_TWIML"]).read_bytes())
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    body = _floor_twiml[0]
    start_response(
        "200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


@dataclass(frozen=True)
class Webhook:
    """One integration's voice webhook, as Twilio calls it."""

    base_url: str
    public_id: str
    account_sid: str
    auth_token: str
    twilio_number: str

    @property
    def path(self) -> str:
        return f"/hooks/twilio/voice/{self.public_id}"

    def call_params(self) -> dict[str, str]:
        """What Twilio sends for a new inbound call (a fresh CallSid each time)."""
        return {
            "CallSid": "CA" + secrets.token_hex(16),
            "AccountSid": self.account_sid,
            "From": CALLER,
            "To": self.twilio_number,
            "Caller": CALLER,
            "Called": self.twilio_number,
            "CallStatus": "ringing",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            "FromCity": "SEATTLE",
        }

    def write_requests(self, file: Path, count: int) -> Path:
        """`count` signed calls, one "signature<TAB>body" line each, for webhook_http.lua."""
        validator = RequestValidator(self.auth_token)
        url = f"{self.base_url}{self.path}"
        with file.open("w") as out:
            for _ in range(count):
                params = self.call_params()
                out.write(f"{validator.compute_signature(url, params)}\t{urlencode(params)}\n")
        return file


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured (latencies in seconds)."""

    name: str
    connections: int
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    timeouts: int
    p50: float
    p90: float
    p99: float
    max: float
    reused: int
    dialed: int
    fallbacks: int
    others: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "per_second": self.per_second}


def run_wrk(
    name: str,
    base_url: str,
    path: str,
    requests_file: Path,
    *,
    connections: int,
    seconds: float,
    classify: bool = False,
    timeout: float = 10.0,
) -> WrkResult:
    """One wrk run of `seconds` at `connections` sending the file's requests; its JSON summary."""
    argv = [
        *(WRK, f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds:g}s", f"--timeout={timeout:g}s"),
        *("--latency", "-s", str(LUA_SCRIPT), f"{base_url}{path}"),
        *("--", str(requests_file), path, str(WRK_THREADS), "classify" if classify else "plain"),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds + timeout + 60)
    line = next(line for line in done.stdout.splitlines() if line.startswith("WRK-JSON "))
    raw = json.loads(line.removeprefix("WRK-JSON "))
    return WrkResult(
        name=name,
        connections=connections,
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        non_2xx=raw["non_2xx"],
        socket_errors=raw["socket_errors"],
        timeouts=raw["timeouts"],
        p50=raw["p50_us"] / 1e6,
        p90=raw["p90_us"] / 1e6,
        p99=raw["p99_us"] / 1e6,
        max=raw["max_us"] / 1e6,
        reused=raw["reused"],
        dialed=raw["dialed"],
        fallbacks=raw["fallbacks"],
        others=raw["others"],
    )
