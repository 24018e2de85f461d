"""Gauges read from the database at scrape time: probe targets, integration health, reconcile lag, beat age.

They describe state, not events, so every web process reports the same values
and no worker has to export them. A scrape costs a few queries, bounded by
`MAX_SERIES` rows per gauge (a scrape must not get slower without limit as tenants grow).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from calls.choices import TargetState
from calls.models import SipTarget
from integrations.engine.schedule import due_integrations
from integrations.models import Integration
from monitoring.health_status import HealthStatus, health_of
from monitoring.heartbeats import BEAT_NAME
from monitoring.models import Component, Heartbeat

#: most targets / integrations given a series of their own per scrape
MAX_SERIES = 2000


class StateCollector(Collector):
    """prometheus_client collector of Patchbay's state gauges (registered per scrape by the view)."""

    def collect(self) -> Iterator[Metric]:
        yield from self._probe_targets()
        yield from self._integrations()
        yield self._reconcile_lag()
        yield self._beat_age()

    def _probe_targets(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "patchbay_probe_target_state",
            "SIP target reachability after hysteresis: 1 for the target's current state.",
            labels=["tenant", "integration", "target", "state"],
        )
        rows = SipTarget.objects.select_related("tenant", "integration").order_by("pk")[:MAX_SERIES]
        for target in rows:
            name = f"{target.transport}:{target.host}:{target.port}"
            for state in TargetState.values:
                family.add_metric(
                    [target.tenant.slug, target.integration.name, name, state],
                    1.0 if target.state == state else 0.0,
                )
        yield family

    def _integrations(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "patchbay_integrations", "Integrations by health status.", labels=["status"]
        )
        down_targets = set(
            SipTarget.objects.filter(state=TargetState.DOWN).values_list("integration_id", flat=True)
        )
        counts: Counter[str] = Counter()
        for pk, conditions in Integration.objects.filter(deleting=False).values_list("pk", "conditions"):
            counts[health_of(conditions or [], target_down=pk in down_targets)] += 1
        for status in HealthStatus.values:
            family.add_metric([status], counts[status])
        yield family

    def _reconcile_lag(self) -> Metric:
        """Now minus when each overdue integration was due (its last run's end + RECONCILE_INTERVAL)."""
        family = GaugeMetricFamily(
            "patchbay_reconcile_lag_seconds",
            "How long past its due time an integration waits for reconciliation (0 when none is late).",
            labels=["tenant", "integration"],
        )
        now = timezone.now()
        interval = timedelta(seconds=settings.RECONCILE_INTERVAL)
        overdue = due_integrations(now=now, limit=MAX_SERIES)
        ids = [integration.pk for integration in overdue]
        finished = dict(
            Integration.objects.filter(pk__in=ids)
            .annotate(last=Max("runs__finished_at"))
            .values_list("pk", "last")
        )
        for integration in overdue:
            due_at = finished[integration.pk] + interval
            family.add_metric(
                [integration.tenant.slug, integration.name], max((now - due_at).total_seconds(), 0.0)
            )
        return family

    def _beat_age(self) -> Metric:
        family = GaugeMetricFamily(
            "patchbay_beat_last_tick_age_seconds",
            "Seconds since Celery beat last published a task (NaN if it never did).",
        )
        row = Heartbeat.objects.filter(component=Component.BEAT, name=BEAT_NAME).first()
        age = (timezone.now() - row.seen_at).total_seconds() if row else float("nan")
        family.add_metric([], age)
        return family
