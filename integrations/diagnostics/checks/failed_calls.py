"""Every kind: the failed calls of the last 24 hours, explained per SIP status class.

The calls app stores each call's final status and the reason in words
(calls/reasons.py, from the ladder: source IP, credentials sent, codecs offered).
This check groups the recent failures by what fixes them and gives one finding
per class, with the call ids and times as evidence. It reads no vendor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from calls.models import CallLogCursor, SipCall
from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import CheckSkipped, Finding, FindingStatus, Severity

WINDOW = timedelta(hours=24)
#: calls listed in a finding's evidence (the rest are counted)
EVIDENCE_CALLS = 10


@dataclass(frozen=True)
class StatusClass:
    slug: str
    codes: tuple[int, ...]
    meaning: str
    fix: str
    severity: str = Severity.ERROR


STATUS_CLASSES = (
    StatusClass(
        "auth",
        (401, 407),
        "the far end did not accept the caller: its source IP is not on the gateway or allow list, "
        "or the digest credentials are wrong",
        "Without credentials sent: reconcile or apply the integration so the Vapi credential's gateways "
        "(or the trunk's allow list) hold the sending IPs again. With credentials sent: set the same SIP "
        "digest username and password on both sides (update the provider account, then apply).",
    ),
    StatusClass(
        "forbidden",
        (403,),
        "the far end refused the caller or the destination",
        "Check the far end's allow list and the number's calling permissions; apply the integration to "
        "restore the allow lists Patchbay manages.",
    ),
    StatusClass(
        "not-found",
        (404,),
        "the far end does not know the called number",
        "Apply the integration so the number is imported at the voice-AI vendor and bound to the "
        "assistant (connect_vapi: the Vapi phone number equal to the SIP URI user).",
    ),
    StatusClass(
        "unavailable",
        (480,),
        "the far end was reachable but nobody could take the call (no assistant attached, or not "
        "registered yet)",
        "Check that the number is attached to a published assistant; Synthflow registers a newly "
        "attached number 1-2 minutes later, so calls made in that window get 480.",
    ),
    StatusClass(
        "declined",
        (486, 600, 603),
        "the far end answered but declined the call (busy or refused)",
        "Nothing in the trunk is broken: the assistant or agent declined. Check its concurrency limit "
        "and whether it is set to reject calls.",
        Severity.WARNING,
    ),
    StatusClass(
        "service-unavailable",
        (503,),
        "the far end or a proxy on the way was overloaded, down, or had no route for the call",
        "Check the vendor's status page; if it persists, check that the origination / outbound route "
        "points at a host that serves this number (run diagnostics after an apply).",
    ),
    StatusClass(
        "codec",
        (488, 606),
        "the far end accepts none of the offered codecs",
        "Offer G.711 (PCMU/PCMA) on the calling side: both Chime and the voice-AI vendors accept it.",
    ),
)


def _when(call: SipCall) -> str:
    return call.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


class RecentFailedCalls(Check):
    name = "failed-calls"
    title = "Failed calls of the last 24 hours"
    kinds = tuple(IntegrationKind.values)

    def evaluate_all(self, ctx: CheckContext) -> list[Finding]:
        since = timezone.now() - WINDOW
        recent = SipCall.objects.filter(integration=ctx.integration, started_at__gte=since)
        if not recent.exists():
            read = CallLogCursor.objects.filter(integration=ctx.integration, fetched_at__gte=since).exists()
            if not read:
                raise CheckSkipped(
                    "No call of this integration was observed in the last 24 hours and no call log was "
                    "read in that time, so there is nothing to explain (fetch the calls first)."
                )
            return [self.ok("The call log was read: no call in the last 24 hours.")]
        findings = [f for f in (self._finding(c, recent) for c in STATUS_CLASSES) if f is not None]
        if findings:
            return findings
        codes = "/".join(str(code) for c in STATUS_CLASSES for code in c.codes)
        return [self.ok(f"None of the {recent.count()} call(s) of the last 24 hours ended with {codes}.")]

    def evaluate(self, ctx: CheckContext) -> Finding:
        return self.evaluate_all(ctx)[0]

    def _finding(self, status_class: StatusClass, recent: QuerySet[SipCall]) -> Finding | None:
        calls = list(recent.filter(final_status__in=status_class.codes).order_by("-started_at"))
        if not calls:
            return None
        codes = sorted({c.final_status for c in calls if c.final_status is not None})
        latest = calls[0]
        reason = f" Latest: {latest.reason}" if latest.reason else ""
        message = (
            f"{len(calls)} call(s) in the last 24 hours ended with {'/'.join(map(str, codes))}: "
            f"{status_class.meaning}.{reason}"
        )
        shown = [f"{c.call_id} at {_when(c)} ({c.final_status})" for c in calls[:EVIDENCE_CALLS]]
        more = len(calls) - EVIDENCE_CALLS
        evidence = "; ".join(shown) + (f"; and {more} more" if more > 0 else "")
        return Finding(
            f"{self.name}-{status_class.slug}",
            f"{self.title}: {status_class.slug.replace('-', ' ')}",
            FindingStatus.PROBLEM,
            status_class.severity,
            message,
            evidence,
            status_class.fix,
        )
