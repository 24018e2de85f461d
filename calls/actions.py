"""Every change of state of the calls app a person asks for: uploading traces, probing (storing calls read
from logs is calls/storing.py; a queued probe request is carried out by calls/probe_requests.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from calls.choices import CallsAuditAction
from calls.grouping import group_calls
from calls.models import ProbeRequest, ProbeResult, SipTrace
from calls.probes import probe_integration
from calls.storing import store_uploaded_calls
from calls.tasks import run_probe_request_task
from calls.trace_files import read_trace
from tenants.audit import Actor, record_audit

if TYPE_CHECKING:
    from integrations.models import Integration
    from tenants.models import Tenant


def upload_trace(tenant: Tenant, data: bytes, filename: str, *, actor: Actor) -> SipTrace:
    """Read a trace file and store it with its calls; raises `TraceError` for a file with no SIP in it
    or more than the caps of `calls.trace_reading` allow. The audit row holds counts, not Call-IDs."""
    reading = read_trace(data)
    drafts = group_calls(reading.messages)
    with transaction.atomic():
        trace = SipTrace.objects.create(
            tenant=tenant,
            filename=(filename or "trace")[:255],
            format=reading.format,
            size=len(data),
            skipped=reading.skipped,
            uploaded_by=actor.label[:200],
        )
        calls = store_uploaded_calls(trace, drafts)
        record_audit(
            actor,
            CallsAuditAction.TRACE_UPLOADED,
            trace,
            diff={
                "file": [None, trace.filename],
                "format": [None, reading.format],
                "calls": [None, len(calls)],
                "messages": [None, sum(len(draft.messages) for draft in drafts)],
                "skipped_blocks": [None, reading.skipped],
            },
        )
    return trace


def run_probes_now(integration: Integration, *, actor: Actor) -> list[ProbeResult]:
    """Probe every SIP target of the integration now, in this process, and audit who asked."""
    results = probe_integration(integration)
    record_audit(
        actor, CallsAuditAction.PROBES_RUN, integration, diff={"probes": [None, _described(results)]}
    )
    return results


def _described(results: Sequence[ProbeResult]) -> list[str]:
    return [f"{r.target.host}:{r.target.port} {r.status} {r.response_code or ''}".strip() for r in results]


#: a request no worker finished within this long is given up (a worker died or none runs): a new one
#: may be made
PROBE_REQUEST_STALE = timedelta(minutes=5)


def request_probes(integration: Integration, *, actor: Actor) -> ProbeRequest:
    """Queue a probe of every SIP target of the integration for a worker, and audit who asked. A
    request already queued or running is returned instead of a second one."""
    now = timezone.now()
    with transaction.atomic():
        pending = ProbeRequest.objects.select_for_update().filter(
            integration=integration, state__in=[ProbeRequest.State.QUEUED, ProbeRequest.State.RUNNING]
        )
        pending.filter(requested_at__lt=now - PROBE_REQUEST_STALE).update(
            state=ProbeRequest.State.FAILED, finished_at=now, summary="No worker finished the probe in time."
        )
        current = pending.first()
        if current is not None:
            return current
        request = ProbeRequest.objects.create(
            tenant_id=integration.tenant_id, integration=integration, requested_by=actor.label[:200]
        )
        record_audit(actor, CallsAuditAction.PROBES_RUN, integration, diff={"probes": [None, "queued"]})
        transaction.on_commit(lambda: run_probe_request_task.delay(request.pk))
    return request
