"""Fixed value sets of SIP observability: call sources, message directions, probe transports and states."""

from __future__ import annotations

from django.db import models


class CallSource(models.TextChoices):
    """Where the messages of a call came from."""

    CLOUDWATCH = "cloudwatch", "Voice Connector SIP log (CloudWatch)"
    UPLOAD = "upload", "Uploaded trace"
    TWILIO = "twilio", "Twilio"
    GENESYS = "genesys", "Genesys Cloud SIP trace"


class Direction(models.TextChoices):
    """Which way a message went, seen from the host that logged it."""

    INBOUND = "inbound", "Received by the logging host"
    OUTBOUND = "outbound", "Sent by the logging host"
    INTERNAL = "internal", "A decision inside the platform (e.g. the SMA Lambda)"
    UNKNOWN = "unknown", "Unknown (a trace without a point of view)"


class Transport(models.TextChoices):
    """How a SIP OPTIONS probe reaches its target."""

    UDP = "udp", "UDP"
    TCP = "tcp", "TCP"
    TLS = "tls", "TLS"


class TargetState(models.TextChoices):
    """A SIP target's reachability after hysteresis (PROBE_DOWN_AFTER / PROBE_UP_AFTER)."""

    UNKNOWN = "unknown", "Unknown"
    UP = "up", "Up"
    DOWN = "down", "Down"


class ProbeStatus(models.TextChoices):
    """What one OPTIONS probe got back."""

    ANSWERED = "answered", "Answered"
    TIMEOUT = "timeout", "No answer (timeout)"
    REFUSED = "refused", "Connection refused"
    ERROR = "error", "Network or TLS error"
    BLOCKED = "blocked", "Refused by policy (private address)"


class CallsAuditAction(models.TextChoices):
    """Audit actions of the calls app (the audit log's `action` is free text, namespaced per app)."""

    TRACE_UPLOADED = "trace.uploaded", "SIP trace uploaded"
    PROBES_RUN = "probes.run", "SIP OPTIONS probes run"
