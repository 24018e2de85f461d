#!/usr/bin/env python3
"""`make run`: migrate, seed the demo tenant, and supervise web, worker, beat and the sandbox.

Every child runs with the embedded defaults (SQLite, kombu's SQLAlchemy broker)
unless DATABASE_URL / REDIS_URL are set. Ctrl-C (or SIGTERM) stops them all;
if one of them dies, the others are stopped too, so a half-running stack never
lingers.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Seconds a child gets to finish after SIGTERM before it is killed.
STOP_GRACE = 10.0
# The sandbox starts in a few seconds; moto's first import can take longer on a cold disk.
SANDBOX_DEADLINE = 60.0
# The SECRET_KEY settings.py fell back to before keys were required (its Fernet key decrypts old demo rows).
LEGACY_SECRET_KEY = "patchbay-dev-only-secret-key-change-me-in-production"
# Seconds to wait for the web server's /healthz before printing the banner anyway.
WEB_DEADLINE = 30.0
# Keys of the sandbox's GET /_sandbox/ "endpoints" → the settings that point Patchbay at it (DESIGN §8).
SANDBOX_SETTINGS = {
    "aws": "AWS_ENDPOINT_URL",
    "vapi": "VAPI_BASE_URL",
    "synthflow": "SYNTHFLOW_BASE_URL",
    "genesys": "GENESYS_BASE_URL",
    "genesys_login": "GENESYS_LOGIN_URL",
    "twilio": "TWILIO_BASE_URL",
    "dns": "CHIME_DNS_SERVER",
    # The sandbox's SIP stand-in: probes of vendor SIP hosts are sent there once the host resolved.
    "sip": "PROBE_HOST_OVERRIDE",
}


@dataclass
class Child:
    """One supervised process, its output prefixed with its name."""

    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    pump: threading.Thread | None = field(default=None, repr=False)

    def start(self, env: dict[str, str]) -> None:
        """Start the process in its own session so a signal reaches its whole tree (prefork pools)."""
        self.process = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pump = threading.Thread(target=self._copy_output, daemon=True)
        self.pump.start()

    def _copy_output(self) -> None:
        assert self.process is not None
        assert self.process.stdout is not None
        prefix = f"{self.name:<8}| ".encode()
        for line in iter(self.process.stdout.readline, b""):
            sys.stdout.buffer.write(prefix + line)
            sys.stdout.buffer.flush()

    def running(self) -> bool:
        """True while the process has not exited."""
        return self.process is not None and self.process.poll() is None

    def terminate(self) -> None:
        """Ask the child to stop (SIGTERM to it alone: Celery stops its own pool, warmly)."""
        if self.running():
            assert self.process is not None
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL the child's whole process group (pool processes included)."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)


class Supervisor:
    """Starts children in order and stops all of them when one exits or on Ctrl-C."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self.stopping = threading.Event()

    def start(self, child: Child, env: dict[str, str]) -> Child:
        """Start and remember a child."""
        child.start(env)
        self.children.append(child)
        return child

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        """Signal handler: ask the main loop to stop everything."""
        self.stopping.set()

    def wait(self) -> int:
        """Block until Ctrl-C or until a child exits; return the exit status for make."""
        while not self.stopping.is_set():
            for child in self.children:
                if not child.running():
                    code = child.process.returncode if child.process else 1
                    print(f"\n{child.name} exited with status {code}; stopping everything.", flush=True)
                    self.stop_all()
                    return code or 1
            self.stopping.wait(0.5)
        print("\nStopping web, worker, beat and sandbox ...", flush=True)
        self.stop_all()
        return 0

    def stop_all(self) -> None:
        """SIGTERM every child (newest first), then SIGKILL whatever outlives the grace period."""
        for child in reversed(self.children):
            child.terminate()
        deadline = time.monotonic() + STOP_GRACE
        for child in reversed(self.children):
            while child.running() and time.monotonic() < deadline:
                time.sleep(0.1)
            if child.running():
                child.kill()
                assert child.process is not None
                child.process.wait()


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run a manage.py command to completion, failing loudly with its output."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, text=True, capture_output=True, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {args[0]} failed with status {result.returncode}")
    return result


def sandbox_endpoints(url: str, deadline: float) -> dict[str, str] | None:
    """Poll GET <url>/_sandbox/ until it answers; its "endpoints" map, or None at the deadline."""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_sandbox/", timeout=2) as response:
                return json.load(response)["endpoints"]
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError, KeyError):
            time.sleep(0.3)
    return None


def answers(url: str, deadline: float) -> bool:
    """Poll `url` until it answers 200, or give up at the deadline."""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    return False


def development_settings() -> dict[str, str]:
    """Keys `make run` starts with: generated once and kept in var/, as the demo password is.

    Production refuses to start on public defaults (controlplane/checks.py), so the laptop stack
    brings values of its own, private to this checkout. Its plain HTTP on loopback turns off the
    HTTPS-only settings, which `check --deploy` would flag anywhere else.
    """
    path = ROOT / "var" / "dev-settings.json"
    if path.exists():
        values = json.loads(path.read_text())
    else:
        values = {
            "SECRET_KEY": secrets.token_urlsafe(60),
            "FERNET_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            # Any 12 digits but AWS's documentation example, which production refuses.
            "PATCHBAY_AWS_ACCOUNT_ID": str(secrets.randbelow(9 * 10**11) + 10**11),
        }
        if (ROOT / "var" / "patchbay.sqlite3").exists():
            # A database from before these keys holds secrets under the key once derived from the
            # development SECRET_KEY (controlplane/checks.py, legacy_fernet_key): keep it for reading.
            legacy = hashlib.sha256(b"fernet:" + LEGACY_SECRET_KEY.encode()).digest()
            values["FERNET_KEYS"] += "," + base64.urlsafe_b64encode(legacy).decode()
        path.parent.mkdir(exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(values, indent=2) + "\n")
    return {
        **values,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
    }


def base_env() -> dict[str, str]:
    """The environment every child shares: the caller's, plus laptop defaults."""
    env = dict(os.environ)
    for name, value in development_settings().items():
        env.setdefault(name, value)
    # The sandbox listens on loopback, which Patchbay refuses unless told otherwise (DESIGN §8).
    env.setdefault("ALLOW_PRIVATE_TARGETS", "true")
    # boto3 needs credentials to sign requests; the sandbox accepts any.
    env.setdefault("AWS_ACCESS_KEY_ID", "testing")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    # A terminal, not a log pipeline: plain text lines (production's default is JSON, README "Operating").
    env.setdefault("LOG_FORMAT", "plain")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def main() -> int:
    """Bring the stack up and supervise it until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--sandbox-port", type=int, default=8700)
    parser.add_argument("--sandbox-dns-port", type=int, default=8753)
    parser.add_argument("--sandbox-sip-port", type=int, default=8702)
    parser.add_argument("--no-sandbox", action="store_true", help="do not start the sandbox")
    parser.add_argument(
        "--manage",
        nargs=argparse.REMAINDER,
        help="only run this manage.py command with make run's settings (make migrate, make seed)",
    )
    args = parser.parse_args()

    env = base_env()
    env.setdefault("PUBLIC_BASE_URL", f"http://{args.host}:{args.port}")
    if args.manage:
        return subprocess.run([PYTHON, "manage.py", *args.manage], cwd=ROOT, env=env, check=False).returncode
    supervisor = Supervisor()
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)

    # WhiteNoise serves static/ through its finders; without STATIC_ROOT it warns on every start.
    (ROOT / "staticfiles").mkdir(exist_ok=True)
    print("Migrating the database ...", flush=True)
    manage(env, "migrate", "--no-input")

    seed_args = ["seed_demo"]
    if (ROOT / "sandbox" / "__main__.py").exists() and not args.no_sandbox:
        sandbox_url = f"http://127.0.0.1:{args.sandbox_port}"
        supervisor.start(
            Child(
                "sandbox",
                [
                    PYTHON,
                    "-m",
                    "sandbox",
                    "--port",
                    str(args.sandbox_port),
                    "--dns-port",
                    str(args.sandbox_dns_port),
                    "--sip-port",
                    str(args.sandbox_sip_port),
                    # The demo accounts point at sandbox objects: keep them across restarts.
                    "--state",
                    str(ROOT / "var" / "sandbox-state.pickle"),
                ],
            ),
            env,
        )
        endpoints = sandbox_endpoints(sandbox_url, time.monotonic() + SANDBOX_DEADLINE)
        if endpoints is None:
            print(f"The sandbox did not answer at {sandbox_url}/_sandbox/; stopping.", flush=True)
            supervisor.stop_all()
            return 1
        for key, setting in SANDBOX_SETTINGS.items():
            if key in endpoints:
                env[setting] = endpoints[key]
        seed_args += ["--sandbox-url", sandbox_url]
    else:
        print("No sandbox (sandbox/__main__.py missing or --no-sandbox): vendor calls are not served.")

    seeded = manage(env, *seed_args)
    sys.stdout.write(seeded.stdout)

    supervisor.start(
        Child("web", [PYTHON, "manage.py", "runserver", f"{args.host}:{args.port}", "--noreload"]), env
    )
    supervisor.start(
        Child(
            "worker",
            [PYTHON, "-m", "celery", "-A", "controlplane", "worker", "--loglevel=INFO", "--concurrency=2"],
        ),
        env,
    )
    supervisor.start(
        Child(
            "beat",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "controlplane",
                "beat",
                "--loglevel=INFO",
                f"--schedule={ROOT / 'var' / 'celerybeat-schedule'}",
            ],
        ),
        env,
    )
    login = next((line for line in seeded.stdout.splitlines() if line.startswith("Login:")), "")
    hint = next((line for line in seeded.stdout.splitlines() if line.startswith("Try it:")), "")
    url = f"http://{args.host}:{args.port}/"
    up = answers(f"{url}healthz", time.monotonic() + WEB_DEADLINE)
    banner = [
        f"Patchbay {'is up' if up else 'is starting'} at {url}",
        login or "Login: see the seed_demo output above",
        *([hint] if hint else []),
        "Ctrl-C stops web, worker, beat and sandbox.",
    ]
    print("\n" + "".join(f"  {line}\n" for line in banner), flush=True)
    return supervisor.wait()


if __name__ == "__main__":
    sys.exit(main())
