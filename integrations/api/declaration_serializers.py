"""Schema-only shapes of `declare`'s answer (the declarations themselves: api/schema.py's
`declaration_schema`; the checking is integrations.declarations')."""

from __future__ import annotations

from rest_framework import serializers

from integrations.api.engine_serializers import PlanActionSerializer
from integrations.api.serializers import ConfigField
from integrations.choices import IntegrationKind, Policy
from integrations.declaration_actions import DeclarationAction


class DeclarationSerializer(serializers.Serializer):
    """A declaration's fields, for the bad-input table (tests/test_api_bad_input.py) to walk; the
    schema's own shape is api/schema.py's `declaration_schema`, one variant per kind."""

    name = serializers.CharField(help_text="Matches the tenant's integration of this name.")
    kind = serializers.ChoiceField(choices=IntegrationKind.choices)
    accounts = serializers.DictField(
        child=serializers.CharField(),
        help_text='Provider account name by account kind, e.g. {"aws": "prod aws", "vapi": "vapi"}.',
    )
    config = ConfigField()
    policy = serializers.ChoiceField(choices=Policy.choices, default=Policy.HEAL)


class DeclaredRunSerializer(serializers.Serializer):
    """The run a declaration queued (an apply, or a teardown under `prune`)."""

    id = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.CharField()
    progress = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class DeclarationResultSerializer(serializers.Serializer):
    """What declaring did (or, in a dry run, would do) to one integration."""

    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=IntegrationKind.choices)
    id = serializers.CharField(allow_null=True, help_text="Null for an integration a dry run would create.")
    action = serializers.ChoiceField(
        choices=[
            DeclarationAction.CREATE,
            DeclarationAction.UPDATE,
            DeclarationAction.DELETE,
            DeclarationAction.NOOP,
        ]
    )
    changes = serializers.DictField(
        child=serializers.ListField(), help_text="`{field: [old, new]}`, accounts by name."
    )
    plan = PlanActionSerializer(
        many=True,
        help_text="The engine's plan (existing integration), the nodes to create (new one) or to delete.",
    )
    changed = serializers.BooleanField(
        help_text="The declaration differs from what is stored, or the engine would change a vendor object."
    )
    problems = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Vendor ids of the config the accounts do not have, by dotted field.",
    )
    error = serializers.CharField(required=False, help_text="Why the engine plan could not be made.")
    run = DeclaredRunSerializer(required=False, allow_null=True, help_text="Apply only: the queued run.")


class DeclareResponseSerializer(serializers.Serializer):
    """The answer of `declare`: one result per integration, and how many of each action."""

    dry_run = serializers.BooleanField()
    prune = serializers.BooleanField()
    changed = serializers.BooleanField(help_text="Any integration changed (or, in a dry run, would).")
    summary = serializers.DictField(child=serializers.IntegerField(), help_text="Count per action.")
    integrations = DeclarationResultSerializer(many=True)
