"""Representations of what the engine records: runs with their events, resource nodes, plans."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from integrations.models.engine import ResourceNode, Run, RunEvent
from integrations.outputs import public_output_values


class RunEventSerializer(serializers.ModelSerializer):
    """One step of a run (never carries a secret)."""

    class Meta:
        model = RunEvent
        fields = ["at", "node", "action", "outcome", "duration_ms", "request_id", "message"]
        read_only_fields = fields


class RunSerializer(serializers.ModelSerializer):
    """A plan / apply / reconcile / teardown run with its progress and events (DESIGN §8)."""

    id = serializers.CharField(read_only=True)
    integration = serializers.CharField(source="integration_id", read_only=True, allow_null=True)
    events = RunEventSerializer(many=True, read_only=True)

    class Meta:
        model = Run
        fields = [
            "id",
            "integration",
            "integration_name",
            "kind",
            "state",
            "progress",
            "message",
            "created_at",
            "started_at",
            "finished_at",
            "events",
        ]
        read_only_fields = fields


class RunSummarySerializer(RunSerializer):
    """A run without its events, for lists."""

    class Meta(RunSerializer.Meta):
        fields = [f for f in RunSerializer.Meta.fields if f != "events"]
        read_only_fields = fields


class ResourceNodeSerializer(serializers.ModelSerializer):
    """One node of an integration: its type, external identity, status and outputs."""

    create_pending = serializers.SerializerMethodField()
    outputs = serializers.SerializerMethodField()

    class Meta:
        model = ResourceNode
        fields = [
            "node",
            "type",
            "external_name",
            "external_id",
            "status",
            "create_pending",
            "outputs",
            "last_diff",
            "message",
            "last_observed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_create_pending(self, node: ResourceNode) -> bool:
        return node.create_pending_at is not None

    @extend_schema_field(serializers.DictField())
    def get_outputs(self, node: ResourceNode) -> dict[str, Any]:
        # A sealed ciphertext reads "sealed" and other secrets "(sensitive)" (integrations/outputs.py).
        return public_output_values(node.type, node.outputs)


class PlanActionSerializer(serializers.Serializer):
    """One action of a plan."""

    node = serializers.CharField()
    type = serializers.CharField()
    action = serializers.ChoiceField(
        choices=["create", "update", "delete", "no-op", "unknown"],
        help_text="`unknown`: the node could not be observed, so what apply would do is not known (`error`).",
    )
    diff = serializers.DictField(child=serializers.ListField())
    known_after_apply = serializers.ListField(child=serializers.CharField())
    error = serializers.CharField(required=False, help_text="Why the node could not be observed (`unknown`).")


class PlanSerializer(serializers.Serializer):
    """What apply would do now: `{"run", "actions", "changes"}`; nothing changed to compute it."""

    run = serializers.CharField()
    actions = PlanActionSerializer(many=True)
    changes = serializers.DictField(
        child=serializers.IntegerField(), help_text="How many nodes each action touches: create/update/..."
    )

    def to_representation(self, instance: Any) -> Any:
        return instance
