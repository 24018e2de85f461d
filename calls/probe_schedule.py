"""Which integrations' SIP targets to probe on a periodic tick (every `PROBE_INTERVAL_SECONDS`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from integrations.models import Integration, ResourceNode


def due_integration_ids() -> list[str]:
    """Integrations with SIP targets whose last probe is older than the interval (or never probed)."""
    before = timezone.now() - timedelta(seconds=settings.PROBE_INTERVAL_SECONDS)
    # The nodes whose outputs name a SIP target (calls.probes.targets_for): a connector's `host`, or any
    # node's `sip_host`.
    provisioned = ResourceNode.objects.filter(
        Q(node="voice_connector", outputs__has_key="host") | Q(outputs__has_key="sip_host")
    )
    rows = (
        Integration.objects.filter(deleting=False)
        .filter(Q(pk__in=provisioned.values("integration_id")) | Q(sip_targets__isnull=False))
        .annotate(last_probe=Max("sip_targets__last_probed_at"))
        .filter(Q(last_probe__isnull=True) | Q(last_probe__lte=before))
        .values_list("pk", flat=True)
        .distinct()
    )
    return [str(pk) for pk in rows]
