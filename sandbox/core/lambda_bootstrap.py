"""The runtime loop inside a simulated Lambda execution environment (a child process).

Run as a script (`python -I lambda_bootstrap.py <code dir> <handler> <result fd>`),
it imports only the standard library before the function's own code, as the
python3.x runtime does. It reads one invocation per line on stdin
(`{"request_id", "event", "timeout_s", "function_name", ...}`), calls the
handler with a context object, and writes one JSON result line per invocation
to the result file descriptor. Everything the function prints goes to
stdout/stderr, which the sandbox turns into the function's CloudWatch log
stream, with Lambda's START / END / REPORT lines around each invocation.
The handler module is imported once and reused, like a warm container.
"""

from __future__ import annotations

import importlib
import json
import signal
import sys
import time
import traceback
from types import FrameType
from typing import Any


class InvocationTimeout(BaseException):
    """Raised inside the handler when the function's timeout expires (not catchable as Exception)."""


class LambdaContext:
    """The parts of Lambda's context object handlers use."""

    def __init__(self, invocation: dict[str, Any], deadline: float) -> None:
        self.function_name = invocation["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = invocation["function_arn"]
        self.memory_limit_in_mb = invocation["memory_mb"]
        self.aws_request_id = invocation["request_id"]
        self.log_group_name = invocation["log_group"]
        self.log_stream_name = invocation["log_stream"]
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _on_timeout(signum: int, frame: FrameType | None) -> None:
    raise InvocationTimeout


def _error(exc: BaseException) -> dict[str, Any]:
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def main() -> None:
    """Serve invocations until stdin closes."""
    code_dir, handler_spec, result_fd = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sys.path.insert(0, code_dir)
    results = open(result_fd, "w", buffering=1)  # noqa: SIM115 - lives as long as the process
    module_name, _, function_name = handler_spec.replace("/", ".").rpartition(".")
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
        init_error = None
    except Exception as exc:  # reported to the caller as Runtime.ImportModuleError, as Lambda does
        handler, init_error = None, {**_error(exc), "errorType": "Runtime.ImportModuleError"}
        traceback.print_exc()
    signal.signal(signal.SIGALRM, _on_timeout)
    for line in sys.stdin:
        invocation = json.loads(line)
        request_id = invocation["request_id"]
        print(f"START RequestId: {request_id} Version: $LATEST", flush=True)
        started = time.monotonic()
        timeout = float(invocation["timeout_s"])
        outcome: dict[str, Any]
        if handler is None:
            outcome = {"error": init_error}
        else:
            try:
                signal.setitimer(signal.ITIMER_REAL, timeout)
                answer = handler(invocation["event"], LambdaContext(invocation, started + timeout))
                signal.setitimer(signal.ITIMER_REAL, 0)
                outcome = {"result": answer}
            except InvocationTimeout:
                message = f"Task timed out after {timeout:.2f} seconds"
                print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {request_id} {message}", flush=True)
                outcome = {"error": {"errorMessage": message, "errorType": "Sandbox.Timedout"}}
            except Exception as exc:  # a handler's failure is the invocation's result, as in Lambda
                signal.setitimer(signal.ITIMER_REAL, 0)
                print(f"[ERROR] {type(exc).__name__}: {exc}", flush=True)
                traceback.print_exc()
                outcome = {"error": _error(exc)}
        duration_ms = (time.monotonic() - started) * 1000
        sys.stderr.flush()
        print(f"END RequestId: {request_id}", flush=True)
        print(
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {int(duration_ms) + 1} ms\tMemory Size: {invocation['memory_mb']} MB",
            flush=True,
        )
        outcome["duration_ms"] = round(duration_ms, 2)
        results.write(json.dumps(outcome, default=str) + "\n")


if __name__ == "__main__":
    main()
