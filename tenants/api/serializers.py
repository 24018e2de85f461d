"""API shapes of tokens, members and audit events."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenants.api.schema import EMAIL_MAX_LENGTH, EMAIL_SCHEMA
from tenants.choices import Role
from tenants.models import ApiToken, AuditEvent, Invitation, Membership


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as listed: never its key, only the prefix to recognise it by."""

    id = serializers.CharField(read_only=True)
    created_by = serializers.SerializerMethodField()
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "role",
            "prefix",
            "created_by",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "active",
        ]
        read_only_fields = fields

    def get_created_by(self, token: ApiToken) -> str | None:
        user = token.created_by
        return None if user is None else (user.email or user.get_username())


class ApiTokenCreateSerializer(serializers.Serializer):
    """What a new token needs: a name, a role (not above yours), optionally an expiry."""

    name = serializers.CharField(max_length=100)
    role = serializers.ChoiceField(choices=Role.choices)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    """The answer to a token creation: the only time the key is shown."""

    key = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    """A member of the tenant and their role."""

    id = serializers.CharField(read_only=True)
    # Not `format: email` in the schema: an address Django's validator took may still fail a JSON
    # Schema email check (IDNA label rules), and answers must match their schema.
    email = serializers.CharField(source="user.email", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "email", "name", "role", "created_at"]
        read_only_fields = fields

    def get_name(self, membership: Membership) -> str:
        user = membership.user
        return user.get_full_name() or user.get_username()


@extend_schema_field(EMAIL_SCHEMA)
class InviteeEmailField(serializers.EmailField):
    """An address to invite (no longer than the invitation's column)."""


class MembershipCreateSerializer(serializers.Serializer):
    """Invite someone by email with a role: they become a member when they accept the emailed link."""

    email = InviteeEmailField(max_length=EMAIL_MAX_LENGTH)
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation: to whom, which role, by whom, and whether it is still pending."""

    id = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True)  # as MembershipSerializer.email
    invited_by = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text="pending, accepted, revoked or expired")

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "invited_by", "created_at", "expires_at", "accepted_at"]
        read_only_fields = fields

    def get_invited_by(self, invitation: Invitation) -> str | None:
        user = invitation.invited_by
        return None if user is None else (user.email or user.get_username())


class MembershipUpdateSerializer(serializers.Serializer):
    """Change a member's role."""

    role = serializers.ChoiceField(choices=Role.choices)


class AuditEventSerializer(serializers.ModelSerializer):
    """One audit event (secrets in the diff are already masked)."""

    id = serializers.CharField(read_only=True)
    actor = serializers.CharField(source="actor_label", read_only=True)
    actor_token = serializers.SerializerMethodField()
    diff = serializers.JSONField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "action",
            "actor",
            "actor_token",
            "object_type",
            "object_id",
            "object_repr",
            "diff",
            "source_ip",
        ]
        read_only_fields = fields

    def get_actor_token(self, event: AuditEvent) -> str | None:
        return None if event.actor_token_id is None else str(event.actor_token_id)
