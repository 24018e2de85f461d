"""A queued probe request, carried out in a worker (`calls.tasks.run_probe_request_task`; queued by
`calls.actions.request_probes`)."""

from __future__ import annotations

from django.utils import timezone

from calls.models import ProbeRequest
from calls.probes import probe_integration


def run_probe_request(request: ProbeRequest) -> ProbeRequest:
    """Carry out a queued probe request (in a worker): probe every target, then say what came of it."""
    if not request.is_pending:
        return request
    request.state, request.started_at = ProbeRequest.State.RUNNING, timezone.now()
    request.save(update_fields=["state", "started_at"])
    try:
        results = probe_integration(request.integration)
    except Exception:
        request.state, request.finished_at = ProbeRequest.State.FAILED, timezone.now()
        request.summary = "The probe could not be run; the next scheduled probe will try again."
        request.save(update_fields=["state", "finished_at", "summary"])
        raise
    answered = sum(1 for result in results if result.succeeded)
    if results:
        plural = "s" if len(results) != 1 else ""
        request.summary = f"Probed {len(results)} SIP target{plural}: {answered} answered."
    else:
        request.summary = "No SIP target yet: they appear once the integration is applied."
    request.state, request.finished_at = ProbeRequest.State.DONE, timezone.now()
    request.save(update_fields=["state", "finished_at", "summary"])
    return request
