"""prepare_inbound's circuit breaker: when Synthflow keeps failing, callers get the fallback at once.

Each call with prepare_inbound waits up to SYNTHFLOW_PREPARE_TIMEOUT for
Synthflow. When Synthflow stalls, every web thread waits that long, calls
queue behind them, and callers wait many times the timeout for the same
fallback (issue 15: 50 concurrent calls on 2 workers x 4 threads). So after
SYNTHFLOW_BREAKER_FAILURES failures in a row for one integration, a web process
stops asking for SYNTHFLOW_BREAKER_SECONDS: those calls get the fallback (the
answer a failed prepare_inbound gives) without waiting. Then one call asks
again (the others keep getting the fallback meanwhile): a success closes the
breaker, a failure opens it again. The state is per process, in memory:
nothing to share, nothing to lose.

A stall (a call that waited the whole timeout) weighs more than a quick error:
it held a web thread that long, and with a process's threads all waiting, the
calls queued behind them would each wait another timeout before the failure
count reached SYNTHFLOW_BREAKER_FAILURES (measured: 50 connections on
2 workers x 4 threads, the slowest fallback took two timeouts). So after one
stall the breaker is half open at once: one call at a time asks; a success
closes it, another failure opens it. When other calls are still waiting on
Synthflow at that moment (they started with the stalled one and are likely
stalling too), nobody new asks until they report, at most one timeout: a
success among them closes the breaker, their stalls open it. One slow answer
costs one probe, not the breaker's time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings


@dataclass
class _State:
    failures: int = 0
    #: monotonic time before which nobody asks Synthflow (while open, or while one call probes)
    closed_at: float = 0.0


_lock = threading.Lock()
_states: dict[str, _State] = {}
#: calls asking Synthflow right now, per integration (kept apart: a success forgets the state)
_in_flight: dict[str, int] = {}


def _allow(public_id: str) -> bool:
    _in_flight[public_id] = _in_flight.get(public_id, 0) + 1
    return True


def allows(public_id: str) -> bool:
    """Whether this call may ask Synthflow (False: answer the fallback without asking)."""
    now = time.monotonic()
    with _lock:
        state = _states.get(public_id)
        if state is None or state.failures < settings.SYNTHFLOW_BREAKER_FAILURES:
            return _allow(public_id)
        if now < state.closed_at:
            return False
        # Half open: this call probes; the others wait for its outcome no longer than its timeout.
        state.closed_at = now + settings.SYNTHFLOW_PREPARE_TIMEOUT + 1.0
        return _allow(public_id)


def record(public_id: str, succeeded: bool, *, stalled: bool = False) -> None:
    """The outcome of one prepare_inbound of this integration (`stalled`: it failed by waiting out
    its whole timeout)."""
    with _lock:
        others = _in_flight.get(public_id, 1) - 1
        if others > 0:
            _in_flight[public_id] = others
        else:
            _in_flight.pop(public_id, None)
        if succeeded:
            _states.pop(public_id, None)
            return
        state = _states.setdefault(public_id, _State())
        now = time.monotonic()
        state.failures += 1
        if state.failures >= settings.SYNTHFLOW_BREAKER_FAILURES:
            state.closed_at = now + settings.SYNTHFLOW_BREAKER_SECONDS
        elif stalled:
            # Half open (see the module's docstring): the next call probes alone, once the calls
            # still waiting on Synthflow have reported, or their timeout has passed.
            state.failures = settings.SYNTHFLOW_BREAKER_FAILURES
            state.closed_at = now + (settings.SYNTHFLOW_PREPARE_TIMEOUT + 1.0 if others > 0 else 0.0)
