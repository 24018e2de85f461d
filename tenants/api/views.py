"""API endpoints of tenancy: tokens, members, audit log."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tenants import actions, invitations
from tenants.api.schema import ApiErrorSerializer
from tenants.api.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    AuditEventSerializer,
    InvitationSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
)
from tenants.api.viewsets import TenantScopedViewSet
from tenants.choices import Role
from tenants.models import ApiToken, AuditEvent, Invitation, Membership


@extend_schema_view(
    create=extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer}),
    destroy=extend_schema(description="Revoke the token (it stays listed, with `revoked_at`)."),
)
class ApiTokenViewSet(TenantScopedViewSet):
    """API tokens of the tenant (admins): create shows the key once, delete revokes."""

    queryset = ApiToken.objects.select_related("created_by")
    serializer_class = ApiTokenSerializer
    read_role = Role.ADMIN
    write_role = Role.ADMIN
    filter_fields = ("role",)
    http_method_names = ["get", "post", "delete", "head", "options"]
    idempotency_withheld = {
        "key": (
            "This repeats an earlier request with the same Idempotency-Key: the token exists, but its key "
            "was shown only in the first response and is not stored. If it is lost, revoke this token "
            "and create another."
        )
    }

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ApiTokenCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        token, key = actions.create_api_token(request.tenant, actor=self.actor, **incoming.validated_data)
        body = ApiTokenSerializer(token, context=self.get_serializer_context()).data
        return Response({**body, "key": key}, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        actions.revoke_api_token(instance, actor=self.actor)


@extend_schema_view(
    create=extend_schema(
        request=MembershipCreateSerializer,
        responses={
            202: InvitationSerializer,
            503: OpenApiResponse(ApiErrorSerializer, description="The invitation email could not be sent"),
        },
        description=(
            "Invite someone by email: they get a single-use link and become a member when they accept it. "
            "The answer is the same whether or not the address has a Patchbay login. Pending invitations "
            "are under `invitations/`."
        ),
    ),
    update=extend_schema(request=MembershipUpdateSerializer, responses={200: MembershipSerializer}),
    partial_update=extend_schema(request=MembershipUpdateSerializer, responses={200: MembershipSerializer}),
    destroy=extend_schema(description="Remove the member; their API tokens are revoked."),
)
class MembershipViewSet(TenantScopedViewSet):
    """Members: everyone may list; admins invite, change roles and remove (only owners touch owners)."""

    queryset = Membership.objects.select_related("user")
    serializer_class = MembershipSerializer
    read_role = Role.VIEWER
    write_role = Role.ADMIN
    filter_fields = ("role",)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = MembershipCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        invitation = invitations.invite_member(
            request.tenant,
            incoming.validated_data["email"],
            incoming.validated_data["role"],
            actor=self.actor,
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_202_ACCEPTED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self.get_object()
        incoming = MembershipUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        membership = actions.change_member_role(membership, incoming.validated_data["role"], actor=self.actor)
        return Response(MembershipSerializer(membership).data)

    def perform_destroy(self, instance: Membership) -> None:
        actions.remove_member(instance, actor=self.actor)


@extend_schema_view(destroy=extend_schema(description="Revoke the invitation: its link stops working."))
class InvitationViewSet(TenantScopedViewSet):
    """Invitations of the tenant (admins): list them, revoke a pending one; `POST members/` creates them."""

    queryset = Invitation.objects.select_related("invited_by")
    serializer_class = InvitationSerializer
    read_role = Role.ADMIN
    write_role = Role.ADMIN
    filter_fields = ("email", "role")
    http_method_names = ["get", "delete", "head", "options"]

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        invitation = invitations.revoke_invitation(self.get_object(), actor=self.actor)
        return Response(InvitationSerializer(invitation).data)


class AuditEventViewSet(TenantScopedViewSet):
    """The tenant's audit log, newest first; filter by `action`, `object_type`, `object_id`."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    filter_fields = ("action", "object_type", "object_id")
    http_method_names = ["get", "head", "options"]
