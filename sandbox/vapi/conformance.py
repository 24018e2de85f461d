"""The Vapi stand-in's conformance log: each exchange checked against Vapi's SDK (`sdk_types`).

Every request Patchbay's own client sends (found by its User-Agent: the sandbox's tests send
broken requests on purpose) is read against the SDK's request type of its operation, and every
success answer the stand-in gives is parsed strictly into the SDK's answer type. Findings are
kept across `POST /_sandbox/reset`, numbered, so a test can read the ones that happened while it
ran (the test kit's `sandbox_url`, testing/plugins/sandbox.py, does for every test).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.synthflow.conformance import MAX_FINDINGS, is_patchbay
from sandbox.vapi import sdk_types


@dataclass(frozen=True)
class Finding:
    """One departure from the SDK's types: which exchange, whose request, and what."""

    index: int
    operation: str
    method: str
    path: str
    status: int
    side: str  # "request" | "answer"
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"#{self.index} {self.operation} {self.method} {self.path} → {self.status}: the {self.side} "
            f"departs from vapi_server_sdk's types: {'; '.join(self.problems)}"
        )


class ConformanceLog:
    """Thread-safe, bounded, numbered findings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._findings: list[Finding] = []
        self._next = 0
        #: exchanges checked, by operation
        self.checked: dict[str, int] = {}

    def mark(self) -> int:
        """The index the next finding will get (pass it to `since`)."""
        with self._lock:
            return self._next

    def since(self, index: int) -> list[Finding]:
        """Findings numbered `index` or later."""
        with self._lock:
            return [f for f in self._findings if f.index >= index]

    def note(self, request: Request, operation: str, body: Any, response: Response) -> None:
        """Check Patchbay's request body and a success answer against the SDK's types."""
        if is_patchbay(request):
            self._add(
                request,
                operation,
                response.status_code,
                "request",
                sdk_types.request_problems(operation, body),
            )
        if 200 <= response.status_code < 300:
            try:
                answer = json.loads(response.get_data(as_text=True))
            except ValueError:
                found = ["the answer is not JSON"]
            else:
                found = sdk_types.answer_problems(operation, answer)
            self._add(request, operation, response.status_code, "answer", found)
        with self._lock:
            self.checked[operation] = self.checked.get(operation, 0) + 1

    def _add(self, request: Request, operation: str, status: int, side: str, found: list[str]) -> None:
        if not found:
            return
        with self._lock:
            finding = Finding(
                self._next, operation, request.method or "", request.path, status, side, tuple(found)
            )
            self._next += 1
            self._findings.append(finding)
            del self._findings[:-MAX_FINDINGS]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(vars(self))
        state.pop("_lock")
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        self._lock = threading.Lock()
