"""`TenantScopedViewSet` and its read-only sibling `TenantScopedReadOnlyViewSet`: the bases of every
tenant-owned API endpoint, and the only place rows are scoped (`get_queryset()`, `scoped()`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.api import idempotency
from tenants.api.filters import ExactFieldFilter
from tenants.api.pagination import StandardPagination
from tenants.audit import Actor
from tenants.choices import Role
from tenants.models import IdempotencyRecord
from tenants.permissions import HasTenantRole


class TenantScopedGenericViewSet(viewsets.GenericViewSet):
    """Scopes `queryset` to the request's tenant, checks roles, paginates, filters, and honours
    `Idempotency-Key` on every POST (including extra actions).

    Subclasses set `queryset`, `read_role` / `write_role` (or `action_roles` per action),
    `filter_fields`, and call actions (never `serializer.save()`) in perform_*. Other rows of the
    tenant (a parent, a choice list) come from `scoped(Model)`, never from `Model.objects`.
    Endpoints use `TenantScopedViewSet` or `TenantScopedReadOnlyViewSet`, not this class.
    """

    permission_classes = [HasTenantRole]
    pagination_class = StandardPagination
    filter_backends = [ExactFieldFilter]
    filter_fields: tuple[str, ...] = ()
    read_role: str = Role.VIEWER
    write_role: str = Role.OPERATOR
    action_roles: dict[str, str] = {}
    idempotency_record: IdempotencyRecord | None = None
    #: response fields never kept for replays (secrets shown once) → what a replay says instead
    idempotency_withheld: dict[str, str] = {}

    def get_queryset(self) -> QuerySet:
        # The one tenant filter: another tenant's object is then simply not found (404).
        tenant = getattr(self.request, "tenant", None)
        return self.queryset.for_tenant(tenant)  # type: ignore[union-attr]

    def scoped(self, model: type[Model]) -> QuerySet:
        """Every row of `model` that belongs to the request's tenant."""
        return model.objects.for_tenant(getattr(self.request, "tenant", None))  # type: ignore[attr-defined]

    @property
    def actor(self) -> Actor:
        """Who makes the change, for actions."""
        return Actor.from_request(self.request)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.idempotency_record = None
        super().initial(request, *args, **kwargs)  # authentication and role checks first
        self.idempotency_record = idempotency.begin(request)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, idempotency.IdempotentReplay):
            return exc.response()
        try:
            return super().handle_exception(exc)
        except BaseException:
            # An unhandled error (a 500): release the key so the client may retry.
            record, self.idempotency_record = self.idempotency_record, None
            if record is not None:
                record.delete()
            raise

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        record, self.idempotency_record = self.idempotency_record, None
        if record is not None:
            idempotency.complete(record, response, self.idempotency_withheld)
        return response


class TenantScopedViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    TenantScopedGenericViewSet,
):
    """A tenant-owned endpoint that lists, shows, creates, updates and deletes (as `ModelViewSet`)."""


class TenantScopedReadOnlyViewSet(
    mixins.RetrieveModelMixin, mixins.ListModelMixin, TenantScopedGenericViewSet
):
    """A tenant-owned endpoint that only lists and shows (as `ReadOnlyModelViewSet`)."""
