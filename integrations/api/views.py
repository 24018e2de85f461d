"""API endpoints of provider accounts and integrations; every write goes through integrations.actions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from integrations import actions
from integrations.api.serializers import IntegrationSerializer, ProviderAccountSerializer
from integrations.models import Integration, ProviderAccount
from tenants.api.viewsets import TenantScopedViewSet


class ProviderAccountViewSet(TenantScopedViewSet):
    """Provider accounts of the tenant (secrets write-only); filter by `kind`, `name`."""

    queryset = ProviderAccount.objects.all()
    serializer_class = ProviderAccountSerializer
    filter_fields = ("kind", "name")

    def perform_create(self, serializer: ProviderAccountSerializer) -> None:
        serializer.instance = actions.create_provider_account(
            self.request.tenant, actor=self.actor, **serializer.validated_data
        )

    def perform_update(self, serializer: ProviderAccountSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("kind", None)
        serializer.instance = actions.update_provider_account(serializer.instance, actor=self.actor, **data)

    def perform_destroy(self, instance: ProviderAccount) -> None:
        actions.delete_provider_account(instance, actor=self.actor)


@extend_schema_view(
    destroy=extend_schema(description="Tear the integration down: its resources, then the integration.")
)
class IntegrationViewSet(TenantScopedViewSet):
    """Integrations of the tenant; filter by `kind`, `name`."""

    queryset = Integration.objects.all()
    serializer_class = IntegrationSerializer
    filter_fields = ("kind", "name")

    def perform_create(self, serializer: IntegrationSerializer) -> None:
        serializer.instance = actions.create_integration(
            self.request.tenant, actor=self.actor, **serializer.validated_data
        )

    def perform_update(self, serializer: IntegrationSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("name", None)
        data.pop("kind", None)
        serializer.instance = actions.update_integration(serializer.instance, actor=self.actor, **data)

    def perform_destroy(self, instance: Integration) -> None:
        actions.request_teardown(instance, actor=self.actor)
