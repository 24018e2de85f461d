"""Run the code actually deployed to the sandbox's Lambda, which moto cannot run without Docker.

A `LambdaContainer` is one execution environment of one function: the zip
Patchbay uploaded (taken from moto's Lambda backend) unpacked in a temporary
directory, and a child Python process (`lambda_bootstrap`) that imports the
handler once and serves invocations, so module-level state survives between
invocations as in a warm Lambda. The child sees the function's environment
variables plus what the Lambda runtime sets (AWS_REGION, AWS_LAMBDA_*), boto3
pointed at the sandbox (AWS_ENDPOINT_URL) with dummy credentials, and nothing
of the sandbox's own environment. What it prints becomes the function's log
stream in `/aws/lambda/<name>` of moto's CloudWatch Logs, as Lambda writes it.
"""

from __future__ import annotations

import io
import json
import os
import selectors
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
#: Lambda's init phase may take up to 10 s before the first invocation starts
INIT_ALLOWANCE_S = 10.0
_KILL_MARGIN_S = 2.0
#: seconds the reader thread gets to take an invocation's last log line after its result came back
_OUTPUT_DRAIN_S = 2.0


class LambdaUnavailable(Exception):
    """The function cannot be run: it does not exist, or its runtime is not one the sandbox runs."""


@dataclass
class Invocation:
    """One invocation's outcome, as the caller (Chime, Connect) sees it."""

    function: str
    event: dict[str, Any]
    result: Any = None
    error: dict[str, Any] | None = None
    duration_ms: float = 0.0
    #: when it was invoked on the simulated call's clock (epoch ms)
    at_ms: int = 0

    def as_dict(self) -> dict[str, Any]:
        kind = self.event.get("InvocationEventType") or self.event.get("Name") or ""
        return {
            "function": self.function,
            "event_type": kind,
            "event": self.event,
            "response": self.result,
            "error": self.error,
            "duration_ms": self.duration_ms,
            "at_ms": self.at_ms,
        }


@dataclass
class _LogLine:
    at_ms: int
    text: str


def _function_name(name_or_arn: str) -> str:
    return (
        name_or_arn.split(":function:", 1)[1].split(":", 1)[0] if ":function:" in name_or_arn else name_or_arn
    )


def region_of(name_or_arn: str, default: str) -> str:
    """The region in a Lambda ARN, or `default` for a bare name."""
    parts = name_or_arn.split(":")
    return parts[3] if name_or_arn.startswith("arn:") and len(parts) > 3 else default


@dataclass
class LambdaContainer:
    """One warm execution environment of a deployed function."""

    sandbox: Sandbox
    name_or_arn: str
    region: str
    caller_timeout_s: float  # what the caller waits: Chime 20 s, Connect 8 s (AWS.md §3.5, §4.2)
    invocations: list[Invocation] = field(default_factory=list)

    def __post_init__(self) -> None:
        from moto.awslambda.exceptions import UnknownFunctionException

        with self.sandbox.lock:
            try:
                function = self.sandbox.moto_backend("lambda", self.region).get_function(self.name_or_arn)
            except UnknownFunctionException:
                raise LambdaUnavailable(f"Function not found: {self.name_or_arn}") from None
            runtime = function.run_time or ""
            if not runtime.startswith("python3"):
                raise LambdaUnavailable(
                    f"runtime {runtime!r} of {function.function_name} is not run by the sandbox"
                )
            self.function_name = function.function_name
            self.function_arn = function.function_arn
            self.policy_statements = list(function.policy.statements)
            code, handler = bytes(function.code_bytes), function.handler
            environment = dict(function.environment_vars or {})
            self.timeout_s = min(float(function.timeout or 3), self.caller_timeout_s)
            self.memory_mb = int(function.memory_size or 128)
        self.log_group = f"/aws/lambda/{self.function_name}"
        self.log_stream = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self._directory = tempfile.TemporaryDirectory(prefix="sandbox-lambda-")
        with zipfile.ZipFile(io.BytesIO(code)) as archive:
            archive.extractall(self._directory.name)  # zipfile drops absolute and ".." parts
        self._log: list[_LogLine] = []
        self._printed = threading.Condition()
        self._started = False
        self._code_dir, self._handler, self._environment = self._directory.name, handler, environment

    def allows(self, principal: str) -> bool:
        """Whether the function's resource policy lets that service principal invoke it."""
        for statement in self.policy_statements:
            if statement.get("Effect", "Allow") != "Allow":
                continue
            action = statement.get("Action")
            actions = action if isinstance(action, list) else [action]
            if not {"lambda:InvokeFunction", "lambda:*", "*"} & set(actions):
                continue
            who = statement.get("Principal")
            services = who.get("Service") if isinstance(who, dict) else who
            if principal in (services if isinstance(services, list) else [services]):
                return True
        return False

    def _environment_for_child(self) -> dict[str, str]:
        env = {k: str(v) for k, v in self._environment.items()}
        env.update(
            {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "LANG": "C.UTF-8",
                "TZ": ":UTC",
                "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1",
                "LAMBDA_TASK_ROOT": self._code_dir,
                "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
                "AWS_LAMBDA_LOG_GROUP_NAME": self.log_group,
                "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
                "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
                # boto3 inside the function reaches the sandbox, never AWS.
                "AWS_ENDPOINT_URL": self.sandbox.base_url,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing",
            }
        )
        return env

    def _start(self) -> None:
        read_fd, write_fd = os.pipe()
        self._process = subprocess.Popen(
            [sys.executable, "-I", str(BOOTSTRAP), self._code_dir, self._handler, str(write_fd)],
            cwd=self._code_dir,
            env=self._environment_for_child(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(write_fd,),
            text=True,
        )
        os.close(write_fd)
        self._results = os.fdopen(read_fd, "r")
        self._reader = threading.Thread(target=self._collect_output, daemon=True)
        self._reader.start()
        self._started = True

    def _collect_output(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            with self._printed:
                self._log.append(_LogLine(int(time.time() * 1000), line.rstrip("\n")))
                self._printed.notify_all()

    def _wait_for_report(self, request_id: str, first_line: int) -> None:
        """Wait (briefly) until the reader has taken the invocation's REPORT line, its last one: the
        lines from `first_line` on are then all this invocation's."""
        report = f"REPORT RequestId: {request_id}"
        deadline = time.monotonic() + _OUTPUT_DRAIN_S
        with self._printed:
            while not any(line.text.startswith(report) for line in self._log[first_line:]):
                left = deadline - time.monotonic()
                if left <= 0 or not self._reader.is_alive():
                    return
                self._printed.wait(left)

    def _restamp(self, first_line: int, started_ms: int, at_ms: int) -> None:
        """Move the invocation's log lines to the simulated instant `at_ms` (keeping their spacing)."""
        shift = at_ms - started_ms
        if shift <= 0:
            return
        with self._printed:
            for line in self._log[first_line:]:
                line.at_ms += shift

    def invoke(self, event: dict[str, Any], *, at_ms: int | None = None) -> Invocation:
        """Run the handler with `event` and wait for it as the caller would.

        `at_ms`: when the caller invokes it on the simulated call's clock. The sandbox does not wait
        out a call's duration, so an event caused by a SIP message stamped in the future (the far end's
        200 OK, its BYE) is logged at that message's time, never before it.
        """
        first = not self._started
        if first:
            self._start()
        invocation = Invocation(function=self.function_name, event=event)
        self.invocations.append(invocation)
        request_id = str(uuid.uuid4())
        with self._printed:
            first_line = len(self._log)
        started_ms = int(time.time() * 1000)
        invocation.at_ms = max(started_ms, at_ms or 0)
        try:
            return self._run(invocation, request_id, first)
        finally:
            if self._started:
                self._wait_for_report(request_id, first_line)
                if at_ms is not None:
                    self._restamp(first_line, started_ms, at_ms)

    def _run(self, invocation: Invocation, request_id: str, first: bool) -> Invocation:
        event = invocation.event
        message = {
            "request_id": request_id,
            "event": event,
            "timeout_s": self.timeout_s,
            "function_name": self.function_name,
            "function_arn": self.function_arn,
            "memory_mb": self.memory_mb,
            "log_group": self.log_group,
            "log_stream": self.log_stream,
        }
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(message) + "\n")
            self._process.stdin.flush()
        except BrokenPipeError:
            invocation.error = {"errorType": "Runtime.ExitError", "errorMessage": "the runtime exited"}
            return invocation
        wait = self.timeout_s + _KILL_MARGIN_S + (INIT_ALLOWANCE_S if first else 0)
        line = self._read_result(wait)
        if line is None:
            self._process.kill()
            invocation.error = {
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"Task timed out after {self.timeout_s:.2f} seconds",
            }
            return invocation
        outcome = json.loads(line)
        invocation.result, invocation.error = outcome.get("result"), outcome.get("error")
        invocation.duration_ms = outcome.get("duration_ms", 0.0)
        return invocation

    def _read_result(self, wait_s: float) -> str | None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._results, selectors.EVENT_READ)
            if not selector.select(timeout=wait_s):
                return None
        line = self._results.readline()
        return line or None

    def close(self) -> None:
        """Stop the environment and write what the function printed to its log group."""
        if self._started:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._reader.join(timeout=5)
            self._results.close()
            self._write_logs()
        self._directory.cleanup()

    def _write_logs(self) -> None:
        if not self._log:
            return
        with self.sandbox.lock:
            logs = self.sandbox.moto_backend("logs", self.region)
            if self.log_group not in logs.groups:
                logs.create_log_group(self.log_group, {})
            logs.create_log_stream(self.log_group, self.log_stream)
            events = [{"timestamp": line.at_ms, "message": line.text} for line in self._log]
            logs.put_log_events(self.log_group, self.log_stream, events)
