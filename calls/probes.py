"""SIP OPTIONS probes of an integration's SIP targets, with hysteresis and a kept history.

Targets come from what the engine provisioned (ResourceNode outputs), so a
probe follows the integration as it changes; calls/target_addresses.py decides
which addresses may be probed at all. Only public edges that answer anyone are
probed: Vapi's SIP host for the credential and Synthflow's SIP host. A Chime
connector and a Genesys BYOC FQDN answer only the carriers on their allow lists,
so an OPTIONS from Patchbay's own address would raise a false DOWN (issue 12.8);
their health comes from the vendors' own signals instead (integrations/
registration.py: Chime termination health, the Genesys trunk's state). One lost UDP packet must raise no
alarm and recovery needs no one: a target is down after `PROBE_DOWN_AFTER`
consecutive failures and up after `PROBE_UP_AFTER` consecutive successes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from calls.choices import TargetState, Transport
from calls.events import probe_target_changed
from calls.models import ProbeResult, SipTarget
from calls.sip_options import ProbeOutcome, send_options
from calls.target_addresses import TargetError, probe_destination, resolve_target
from integrations.choices import AccountKind
from integrations.kinds import get_kind
from integrations.models import Integration, ResourceNode
from monitoring import metrics

SIP_PORT = 5060
# Synthflow's SIP hosts per account region, UDP/TCP on 32681 and TLS on 32682 (PROVIDERS.md §1.6).
SYNTHFLOW_SIP_HOSTS = {"global": "sip.synthflow.ai", "us": "sip.us.synthflow.ai", "eu": "sip.eu.synthflow.ai"}
SYNTHFLOW_PORTS: dict[str, int] = {Transport.UDP: 32681, Transport.TCP: 32681, Transport.TLS: 32682}


#: node types whose SIP host answers only the carriers its allow list names (a Chime connector: its
#: termination's CidrAllowedList; a Genesys BYOC trunk: its access ACL), so never probed (issue 12.8)
ALLOW_LISTED_TYPES = ("chime.voice_connector", "genesys.trunk")


@dataclass(frozen=True)
class TargetSpec:
    """A SIP target derived from an integration: what it is and where."""

    label: str
    host: str
    port: int
    transport: str


def _transport(integration: Integration) -> str:
    value = str(integration.config.get("transport") or "udp").lower()
    return value if value in Transport.values else Transport.UDP


def targets_for(integration: Integration) -> list[TargetSpec]:
    """The SIP targets of an integration from its node outputs; nodes not created yet are skipped."""
    rows = list(ResourceNode.objects.filter(integration=integration))
    outputs = {row.node: row.outputs or {} for row in rows}
    types = {row.node: row.type for row in rows}
    transport = _transport(integration)
    specs: list[TargetSpec] = []
    credential_host = outputs.get("vapi_credential", {}).get("sip_host")
    if credential_host:
        # The connector's origination route dials the credential's host on 5060 (connect_vapi blueprint).
        specs.append(TargetSpec("Vapi credential SIP host", str(credential_host), SIP_PORT, transport))
    if get_kind(integration.kind).AGENT == AccountKind.SYNTHFLOW:
        account = integration.synthflow_account
        region = str((account.settings if account else {}).get("region") or "global")
        host = SYNTHFLOW_SIP_HOSTS.get(region, SYNTHFLOW_SIP_HOSTS["global"])
        specs.append(TargetSpec("Synthflow SIP host", host, SYNTHFLOW_PORTS[transport], transport))
    for node, values in outputs.items():
        # A node may publish a public SIP host as `sip_host`; allow-listed edges are never probed.
        if node != "vapi_credential" and values.get("sip_host") and types[node] not in ALLOW_LISTED_TYPES:
            port = int(values.get("sip_port") or SIP_PORT)
            specs.append(TargetSpec(node.replace("_", " "), str(values["sip_host"]), port, transport))
    return list({(s.host, s.port, s.transport): s for s in specs}.values())


def probe_address(host: str, port: int, transport: str) -> ProbeOutcome:
    """Resolve, check and probe one target; every failure is an outcome."""
    try:
        addresses = resolve_target(host, port, transport)
    except TargetError as refusal:
        return ProbeOutcome(status=refusal.status, message=str(refusal))
    address, port = probe_destination(addresses, port)
    return send_options(address, port, transport, host)


def next_state(target: SipTarget, succeeded: bool) -> str:
    """Count the outcome into the target and return its state after hysteresis (saved by the caller)."""
    if succeeded:
        target.consecutive_successes += 1
        target.consecutive_failures = 0
        if target.state != TargetState.UP and target.consecutive_successes >= settings.PROBE_UP_AFTER:
            return TargetState.UP
    else:
        target.consecutive_failures += 1
        target.consecutive_successes = 0
        if target.state != TargetState.DOWN and target.consecutive_failures >= settings.PROBE_DOWN_AFTER:
            return TargetState.DOWN
    return target.state


@transaction.atomic
def record_outcome(target: SipTarget, outcome: ProbeOutcome) -> ProbeResult:
    """Store one probe's result and move the target's state (row-locked against concurrent probes)."""
    locked = SipTarget.objects.select_for_update().get(pk=target.pk)
    now = timezone.now()
    before = locked.state
    state = next_state(locked, outcome.succeeded)
    if state != locked.state:
        locked.state, locked.state_changed_at = state, now
    locked.last_probed_at = now
    locked.save()
    target.refresh_from_db()
    metrics.PROBES.labels(outcome.status).inc()
    if locked.state != before:
        transaction.on_commit(
            lambda: probe_target_changed.send_robust(sender=None, target=locked, before=before)
        )
    return ProbeResult.objects.create(
        tenant_id=locked.tenant_id,
        integration_id=locked.integration_id,
        target=locked,
        at=now,
        status=outcome.status,
        address=outcome.address,
        response_code=outcome.response_code,
        reason_phrase=outcome.reason_phrase,
        rtt_ms=outcome.rtt_ms,
        server=outcome.server,
        message=outcome.message,
        succeeded=outcome.succeeded,
        state_after=locked.state,
    )


def sync_targets(integration: Integration) -> list[SipTarget]:
    """The integration's SipTarget rows, made to match `targets_for` (stale targets and their history go)."""
    specs = targets_for(integration)
    keep: list[SipTarget] = []
    for spec in specs:
        target, _ = SipTarget.objects.get_or_create(
            integration=integration,
            host=spec.host,
            port=spec.port,
            transport=spec.transport,
            defaults={"tenant_id": integration.tenant_id, "label": spec.label},
        )
        keep.append(target)
    SipTarget.objects.filter(integration=integration).exclude(pk__in=[t.pk for t in keep]).delete()
    return keep


def probe_integration(integration: Integration) -> list[ProbeResult]:
    """Probe every SIP target of the integration once; returns the new results."""
    return [
        record_outcome(target, probe_address(target.host, target.port, target.transport))
        for target in sync_targets(integration)
    ]


@dataclass(frozen=True)
class Reachability:
    """The SIP reachability of an integration's targets in one word, with a sentence for humans."""

    state: str
    message: str


def reachability(integration: Integration) -> Reachability:
    """`down` if any target is down, `up` if all are up, else `unknown` (for a Registered condition)."""
    targets = list(SipTarget.objects.filter(integration=integration))
    if not targets:
        return Reachability(TargetState.UNKNOWN, "No SIP target has been probed yet.")
    down = [t for t in targets if t.state == TargetState.DOWN]
    if down:
        names = ", ".join(f"{t.host}:{t.port}/{t.transport}" for t in down)
        return Reachability(TargetState.DOWN, f"Not answering SIP OPTIONS: {names}.")
    if all(t.state == TargetState.UP for t in targets):
        return Reachability(TargetState.UP, f"All {len(targets)} SIP targets answer OPTIONS.")
    return Reachability(TargetState.UNKNOWN, "Not enough probes yet to tell.")


def probe_panel_context(integration: Integration, history: int = 20) -> dict[str, object]:
    """What templates/calls/probe_history.html needs: the targets and the latest results."""
    targets = list(SipTarget.objects.filter(integration=integration))
    if not targets and ResourceNode.objects.filter(integration=integration).exists():
        # Applied but not probed yet: the targets are known from the outputs, their state is not.
        targets = [
            SipTarget(
                tenant_id=integration.tenant_id,
                integration=integration,
                label=spec.label,
                host=spec.host,
                port=spec.port,
                transport=spec.transport,
            )
            for spec in targets_for(integration)
        ]
    return {
        "targets": targets,
        "results": list(
            ProbeResult.objects.filter(integration=integration).select_related("target")[:history]
        ),
        "reachability": reachability(integration),
    }
