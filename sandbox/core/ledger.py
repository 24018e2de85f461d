"""The ledger's request log: every vendor request the sandbox answered, in order.

The dispatcher records each request itself (stand-ins never do), so a test can
count how often Patchbay called an operation, see the throttled attempt next
to the retry that succeeded, or read only what happened after a given index.
Live objects are not stored here: the control API asks every stand-in (and
moto) for them when the ledger is read.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

#: Oldest entries are dropped past this many, so a long `make run` stays bounded;
#: indexes keep counting, so `?since=` stays meaningful.
MAX_REQUESTS = 50_000


@dataclass(frozen=True)
class RequestRecord:
    """One answered (or deliberately unanswered) vendor request."""

    index: int
    at: str  # ISO 8601 UTC with milliseconds
    vendor: str  # "aws" | "vapi" | "synthflow" | "genesys" | "twilio" | "" (nothing served it)
    service: str  # AWS signing name ("chime", "iam", ...); "" for HTTP vendors
    operation: str  # "" when the stand-in answered before naming an operation (404, 401, ...)
    method: str
    path: str
    status: int | None  # None when the connection was closed without an answer
    fault: str  # the injected fault's mode, "" when none applied

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Ledger:
    """Thread-safe, append-only log of vendor requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._first_index = 0

    def record(
        self,
        *,
        vendor: str,
        service: str,
        operation: str,
        method: str,
        path: str,
        status: int | None,
        fault: str = "",
    ) -> RequestRecord:
        """Append one request and return it with its index."""
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        with self._lock:
            entry = RequestRecord(
                index=self._first_index + len(self._records),
                at=now,
                vendor=vendor,
                service=service,
                operation=operation,
                method=method,
                path=path,
                status=status,
                fault=fault,
            )
            self._records.append(entry)
            if len(self._records) > MAX_REQUESTS:
                dropped = len(self._records) - MAX_REQUESTS
                del self._records[:dropped]
                self._first_index += dropped
            return entry

    def requests(self, *, vendor: str = "", since: int = 0) -> list[RequestRecord]:
        """Requests with index >= `since`, optionally only one vendor's (or one AWS service's)."""
        with self._lock:
            start = max(0, since - self._first_index)
            chosen = self._records[start:]
        if vendor:
            chosen = [r for r in chosen if vendor in (r.vendor, r.service)]
        return chosen

    @property
    def next_index(self) -> int:
        """The index the next request will get (pass it as `since` to see only newer ones)."""
        with self._lock:
            return self._first_index + len(self._records)

    def clear(self) -> None:
        """Forget every request; indexes restart at 0."""
        with self._lock:
            self._records.clear()
            self._first_index = 0
