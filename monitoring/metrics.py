"""Patchbay's Prometheus metrics: what each process counts as it works.

Counters and histograms live in the process that observes them (web for the
Twilio webhook, workers for runs, vendor requests and ladders). With
`PROMETHEUS_MULTIPROC_DIR` set, prometheus_client writes them to files in that
directory and `/metrics` adds up every process's files (gunicorn's workers and
the Celery worker's pool children alike); the directory must be shared by the
web and worker processes and emptied when they start (README, Operating).
Gauges of state (probe targets, integration health, reconcile lag, beat age) are
read from the database at scrape time instead: monitoring/state_collector.py.
"""

from __future__ import annotations

import os
import socket

from django.conf import settings
from prometheus_client import Counter, Histogram, values

if settings.PROMETHEUS_MULTIPROC_DIR:
    # Files are named by process id; web and worker containers sharing one directory can have
    # the same pid, so the host name is part of the name (prometheus_client's `process_identifier`).
    _HOST = socket.gethostname()
    values.ValueClass = values.MultiProcessValue(process_identifier=lambda: f"{_HOST}-{os.getpid()}")

#: seconds: runs last from under a second (a no-op reconcile) to many minutes (Chime number orders)
RUN_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900)
#: seconds: one vendor HTTP/AWS request
VENDOR_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15)
#: seconds: the voice webhook answers while a caller waits; Synthflow's prepare has 2 s (DESIGN §6)
WEBHOOK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5)
#: seconds from a call's hang-up to its ladder being stored (issue 15: p50 within 15 s, README)
LADDER_BUCKETS = (5, 10, 20, 30, 45, 60, 90, 120, 300, 600, 1800)

RUNS = Counter("patchbay_runs", "Runs finished, by kind and outcome.", ["kind", "outcome"])
RUN_DURATION = Histogram(
    "patchbay_run_duration_seconds",
    "Time from a run's start to its end, by kind and outcome.",
    ["kind", "outcome"],
    buckets=RUN_BUCKETS,
)
VENDOR_REQUESTS = Counter(
    "patchbay_vendor_requests",
    "Requests sent to a vendor API (each attempt), by vendor, operation and answer status.",
    ["vendor", "operation", "status"],
)
VENDOR_LATENCY = Histogram(
    "patchbay_vendor_request_duration_seconds",
    "Latency of one vendor request (one attempt), by vendor and operation.",
    ["vendor", "operation"],
    buckets=VENDOR_BUCKETS,
)
VENDOR_RETRIES = Counter(
    "patchbay_vendor_retries", "Vendor requests sent again after a failure.", ["vendor", "operation"]
)
VENDOR_THROTTLES = Counter(
    "patchbay_vendor_throttles",
    "Vendor answers that said slow down (429, AWS throttling).",
    ["vendor", "operation"],
)
WEBHOOK_ANSWERS = Counter(
    "patchbay_twilio_webhook_answers",
    "Twilio voice webhook answers, by outcome (dialed, fallback, rejected).",
    ["outcome"],
)
WEBHOOK_LATENCY = Histogram(
    "patchbay_twilio_webhook_duration_seconds",
    "Time the Twilio voice webhook took to answer, by outcome.",
    ["outcome"],
    buckets=WEBHOOK_BUCKETS,
)
PROBES = Counter("patchbay_probes", "SIP OPTIONS probes sent, by result status.", ["status"])
LADDER_DELAY = Histogram(
    "patchbay_ladder_delay_seconds",
    "Time from a call's hang-up to its ladder first stored in Patchbay, by source.",
    ["source"],
    buckets=LADDER_BUCKETS,
)
ALERTS = Counter(
    "patchbay_alert_deliveries", "Alert deliveries, by destination kind and outcome.", ["kind", "outcome"]
)
