"""Injected faults: what the dispatcher does instead of (or around) an operation's handler.

A fault is keyed by (vendor, operation). `vendor` is a ledger vendor ("aws",
"vapi", ...) or, for AWS, a service's signing name ("iam", "chime", ...) to
aim at one service only; `operation` is the name the stand-in's `route`
returned (or moto's operation name), or "*" for every operation of that
vendor. Each fault first lets `after` matching requests through untouched (so
a campaign can aim at the n-th call of an operation), then fires `times` times
(0 = until deleted); the oldest matching fault fires first.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class FaultMode(StrEnum):
    """What an injected fault does to the request it hits."""

    ERROR = "error"  # answer the vendor's error shape without running the handler
    THROTTLE = "throttle"  # answer the vendor's rate-limit error without running the handler
    LATENCY = "latency"  # wait latency_ms, then run the handler normally
    DROP = "drop"  # close the TCP connection without running the handler or answering
    LOSE_RESPONSE = "lose_response"  # run the handler (the change happens), then close without answering


ANY_OPERATION = "*"
_DEFAULT_ERROR = (500, "InternalFailure", "Injected fault")
_DEFAULT_LATENCY_MS = 1000
_MAX_LATENCY_MS = 120_000


class FaultSpecError(ValueError):
    """A fault request the control API refuses (400), with a message saying why."""


@dataclass
class Fault:
    """One injected fault and how often it still fires."""

    id: str
    vendor: str
    operation: str
    mode: FaultMode
    times: int  # how many times in total; 0 = unlimited
    remaining: int | None  # None when unlimited
    hits: int
    status: int
    code: str
    message: str
    latency_ms: int
    retry_after: int | None
    after: int = 0  # matching requests still to let through before it fires

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["mode"] = str(self.mode)
        return data

    def matches(self, vendor: str, service: str, operation: str) -> bool:
        """Whether this fault is aimed at a request of that vendor/service and operation."""
        if self.vendor not in (vendor, service):
            return False
        return self.operation in (ANY_OPERATION, operation)


def _int_field(spec: dict[str, Any], name: str, default: int | None, low: int, high: int) -> int | None:
    value = spec.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultSpecError(f"'{name}' must be an integer")
    if not low <= value <= high:
        raise FaultSpecError(f"'{name}' must be between {low} and {high}, got {value}")
    return value


class FaultRegistry:
    """Thread-safe set of injected faults, consumed by the dispatcher."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, spec: dict[str, Any], *, known_vendors: set[str]) -> Fault:
        """Validate a control-API fault body and register it."""
        vendor = spec.get("vendor")
        if not isinstance(vendor, str) or vendor not in known_vendors:
            raise FaultSpecError(f"unknown vendor {vendor!r}; known: {', '.join(sorted(known_vendors))}")
        operation = spec.get("operation")
        if not isinstance(operation, str) or not operation:
            raise FaultSpecError("'operation' is required: an operation name, or '*' for every operation")
        try:
            mode = FaultMode(spec.get("mode", ""))
        except ValueError:
            modes = ", ".join(m.value for m in FaultMode)
            raise FaultSpecError(f"unknown mode {spec.get('mode')!r}; known: {modes}") from None
        times = _int_field(spec, "times", 1, 0, 1_000_000)
        status = _int_field(spec, "status", _DEFAULT_ERROR[0], 400, 599)
        latency_ms = _int_field(spec, "latency_ms", _DEFAULT_LATENCY_MS, 0, _MAX_LATENCY_MS)
        retry_after = _int_field(spec, "retry_after", None, 0, 3600)
        after = _int_field(spec, "after", 0, 0, 1_000_000)
        code = spec.get("code", _DEFAULT_ERROR[1])
        message = spec.get("message", _DEFAULT_ERROR[2])
        if not isinstance(code, str) or not isinstance(message, str):
            raise FaultSpecError("'code' and 'message' must be strings")
        assert times is not None and status is not None and latency_ms is not None and after is not None
        fault = Fault(
            id=f"fault-{next(self._ids)}",
            vendor=vendor,
            operation=operation,
            mode=mode,
            times=times,
            remaining=times or None,
            hits=0,
            status=status,
            code=code,
            message=message,
            latency_ms=latency_ms,
            retry_after=retry_after,
            after=after,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, vendor: str, service: str, operation: str) -> Fault | None:
        """The fault to apply to this request (counted as fired), or None."""
        with self._lock:
            for fault in self._faults:
                if not fault.matches(vendor, service, operation):
                    continue
                if fault.after > 0:  # this request passes this fault untouched (a later fault may take it)
                    fault.after -= 1
                    continue
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    def active(self) -> list[Fault]:
        """Faults that will still fire."""
        with self._lock:
            return list(self._faults)

    def remove(self, fault_id: str) -> bool:
        """Delete one fault; False when no such fault is active."""
        with self._lock:
            for fault in self._faults:
                if fault.id == fault_id:
                    self._faults.remove(fault)
                    return True
        return False

    def clear(self) -> None:
        """Delete every fault."""
        with self._lock:
            self._faults.clear()
