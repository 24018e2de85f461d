"""Operating Patchbay: Prometheus metrics, structured logs with request ids, readiness, heartbeats."""
