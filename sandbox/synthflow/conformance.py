"""The Synthflow stand-in's conformance log: each exchange checked against `reference.json`.

Every request the stand-in answers is checked twice: the request against the
reference's request rules (only requests Patchbay's own client sent count, found
by its User-Agent: the sandbox's tests send broken requests on purpose), and the
answer against the documented answer shape (every answer counts). Findings are
kept across `POST /_sandbox/reset`, numbered, so a test can read the ones that
happened while it ran (the test kit's `sandbox_url`, testing/plugins/sandbox.py, does for every test).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.synthflow import reference

#: Patchbay's vendor clients announce themselves so (integrations/vendors/http.py)
PATCHBAY_AGENT = "Patchbay/"
#: findings kept; older ones are dropped (a long `make run` stays bounded)
MAX_FINDINGS = 1000

#: documented answer fields the sandbox leaves out, with why (sandbox/README.md, known differences)
UNMODELLED: dict[str, dict[str, str]] = {
    "ListCalls": {
        "response.calls[].campaign_type": "campaign values are not documented; no campaigns are modelled",
    },
    "GetCall": {
        "response.calls[].campaign_type": "campaign values are not documented; no campaigns are modelled",
        "response.calls[].name": "the recipient's name of an inbound call is not documented",
        "response.calls[].timezone": "the time zone of an inbound call is not documented",
    },
}


@dataclass(frozen=True)
class Finding:
    """One departure from the reference: which exchange, whose request, and what."""

    index: int
    operation: str
    method: str
    path: str
    status: int
    patchbay: bool  # the request came from Patchbay's client
    side: str  # "request" | "answer"
    problems: tuple[str, ...]

    def __str__(self) -> str:
        who = "Patchbay's" if self.patchbay else "a test's"
        return (
            f"#{self.index} {self.operation or '-'} {self.method} {self.path} → {self.status}: "
            f"{who} {self.side} departs from reference.json: {'; '.join(self.problems)}"
        )


class ConformanceLog:
    """Thread-safe, bounded, numbered findings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._findings: list[Finding] = []
        self._next = 0
        #: exchanges checked, by operation (what the conformance test reports it covered)
        self.checked: dict[str, int] = {}

    def mark(self) -> int:
        """The index the next finding will get (pass it to `since`)."""
        with self._lock:
            return self._next

    def since(self, index: int) -> list[Finding]:
        """Findings numbered `index` or later."""
        with self._lock:
            return [f for f in self._findings if f.index >= index]

    def note_request(self, request: Request, operation: str, problems: list[str], status: int) -> None:
        """Record a request's problems (Patchbay's requests only)."""
        if problems and is_patchbay(request):
            self._add(request, operation, status, "request", problems)

    def note_answer(self, request: Request, operation: str, response: Response) -> None:
        """Check an answer strictly against its documented shape and record what departs."""
        try:
            body = json.loads(response.get_data(as_text=True))
        except ValueError:
            problems = ["the answer is not JSON"]
        else:
            if operation:
                problems = reference.answer_problems(
                    operation, response.status_code, body, unmodelled=UNMODELLED.get(operation)
                )
            else:
                problems = reference.error_problems(response.status_code, body)
        with self._lock:
            self.checked[operation or "-"] = self.checked.get(operation or "-", 0) + 1
        if problems:
            self._add(request, operation, response.status_code, "answer", problems)

    def _add(self, request: Request, operation: str, status: int, side: str, problems: list[str]) -> None:
        with self._lock:
            finding = Finding(
                self._next,
                operation,
                request.method or "",
                request.path,
                status,
                is_patchbay(request),
                side,
                tuple(problems),
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


def is_patchbay(request: Request) -> bool:
    """True when Patchbay's own client sent the request."""
    return request.headers.get("User-Agent", "").startswith(PATCHBAY_AGENT)
