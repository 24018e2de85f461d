"""API shapes of calls (DESIGN §8: `{"id", "integration", "call_id", "started_at", "final_status",
"reason", "messages": [{"at", "src", "dst", "label", "raw"}]}`) and of SIP probes."""

from __future__ import annotations

from rest_framework import serializers

from calls.models import ProbeRequest, ProbeResult, SipCall, SipMessageRecord, SipTarget, SipTrace
from calls.settling import is_complete


class SipMessageSerializer(serializers.ModelSerializer):
    """One ladder arrow: when, from, to, label, the raw text, and the parsed headers."""

    class Meta:
        model = SipMessageRecord
        fields = ["id", "at", "src", "dst", "label", "raw", "direction", "is_failure", "headers"]
        read_only_fields = fields


class SipCallSerializer(serializers.ModelSerializer):
    """A call with its messages in order; `from_number` / `to_number` (the first INVITE's From / To),
    `far_end` (the host that answered), `duration_seconds` (first message to last) and `outcome`
    ("Answered", "Failed (486)", "No final response"), and `complete`: false while the ladder is still
    settling (read while the call went on, or before its last messages reached the log; calls/settling.py)."""

    id = serializers.CharField(read_only=True)
    integration = serializers.CharField(source="integration_id", read_only=True, allow_null=True)
    duration_seconds = serializers.SerializerMethodField()
    outcome = serializers.CharField(read_only=True)
    complete = serializers.SerializerMethodField()
    messages = SipMessageSerializer(many=True, read_only=True)

    class Meta:
        model = SipCall
        fields = [
            "id",
            "integration",
            "source",
            "call_id",
            "started_at",
            "ended_at",
            "final_status",
            "reason",
            "outcome",
            "complete",
            "from_number",
            "to_number",
            "far_end",
            "duration_seconds",
            "legs",
            "hosts",
            "messages",
        ]
        read_only_fields = fields

    def get_duration_seconds(self, call: SipCall) -> float:
        """Seconds from the call's first message to its last, to the millisecond."""
        return round(call.duration.total_seconds(), 3)

    def get_complete(self, call: SipCall) -> bool:
        """False while more of the call's messages may still come (calls/settling.py)."""
        return is_complete(call, call.messages.all())


class CallFetchSerializer(serializers.Serializer):
    """What `POST integrations/{id}/calls/` read: the log group, its events, and the calls touched."""

    log_group = serializers.CharField()
    events = serializers.IntegerField()
    note = serializers.CharField()
    calls = SipCallSerializer(many=True)


class SipCallSummarySerializer(serializers.ModelSerializer):
    """A call without its messages (a trace's calls): how many it has; `calls/{id}/` has them."""

    id = serializers.CharField(read_only=True)
    integration = serializers.CharField(source="integration_id", read_only=True, allow_null=True)
    outcome = serializers.CharField(read_only=True)
    message_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = SipCall
        fields = [
            "id",
            "integration",
            "source",
            "call_id",
            "started_at",
            "ended_at",
            "final_status",
            "reason",
            "outcome",
            "from_number",
            "to_number",
            "far_end",
            "message_count",
        ]
        read_only_fields = fields


class TraceUploadSerializer(serializers.Serializer):
    """`file`: a SIP text log, pcap or pcapng."""

    file = serializers.FileField()


class SipTraceSerializer(serializers.ModelSerializer):
    """An uploaded trace with a summary of each call read from it (the messages are at `calls/{id}/`)."""

    id = serializers.CharField(read_only=True)
    call_count = serializers.SerializerMethodField()
    message_count = serializers.SerializerMethodField()
    calls = SipCallSummarySerializer(many=True, read_only=True)

    class Meta:
        model = SipTrace
        fields = [
            "id",
            "filename",
            "format",
            "size",
            "skipped",
            "uploaded_by",
            "created_at",
            "call_count",
            "message_count",
            "calls",
        ]
        read_only_fields = fields

    def get_call_count(self, trace: SipTrace) -> int:
        """Calls read from the trace."""
        return len(trace.calls.all())

    def get_message_count(self, trace: SipTrace) -> int:
        """Messages of all its calls."""
        return sum(call.message_count for call in trace.calls.all())


class SipTargetSerializer(serializers.ModelSerializer):
    """A SIP target with its state after hysteresis."""

    class Meta:
        model = SipTarget
        fields = [
            "id",
            "label",
            "host",
            "port",
            "transport",
            "state",
            "consecutive_failures",
            "consecutive_successes",
            "state_changed_at",
            "last_probed_at",
        ]
        read_only_fields = fields


class ProbeResultSerializer(serializers.ModelSerializer):
    """One OPTIONS probe of the history."""

    target = SipTargetSerializer(read_only=True)

    class Meta:
        model = ProbeResult
        fields = [
            "id",
            "at",
            "target",
            "status",
            "address",
            "response_code",
            "reason_phrase",
            "rtt_ms",
            "server",
            "message",
            "succeeded",
            "state_after",
        ]
        read_only_fields = fields


class ProbeRequestSerializer(serializers.ModelSerializer):
    """A probe someone asked for: `queued` → `running` → `done` (or `failed`), with what came of it."""

    integration = serializers.CharField(source="integration_id", read_only=True)

    class Meta:
        model = ProbeRequest
        fields = [
            "id",
            "integration",
            "state",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "summary",
        ]
        read_only_fields = fields
