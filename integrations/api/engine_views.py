"""The engine's API surfaces: plan, apply, teardown, resources, runs (DESIGN §8)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from integrations import actions
from integrations.api.engine_serializers import (
    PlanSerializer,
    ResourceNodeSerializer,
    RunSerializer,
    RunSummarySerializer,
)
from integrations.models.engine import ResourceNode, Run
from integrations.views.contact_flow import contact_flow_for
from tenants.api.schema import ApiErrorSerializer
from tenants.audit import Actor
from tenants.choices import Role

if TYPE_CHECKING:
    # What the mixin is mixed into: the integrations viewset's tenant-scoped base.
    from tenants.api.viewsets import TenantScopedViewSet as _ViewSet
else:
    _ViewSet = object


class IntegrationEngineActions(_ViewSet):
    """Mixed into the integrations viewset: the engine's per-integration endpoints."""

    engine_action_roles = {
        "plan": Role.OPERATOR,
        "apply": Role.OPERATOR,
        "teardown": Role.OPERATOR,
        "reconcile": Role.OPERATOR,
        "resources": Role.VIEWER,
        "runs": Role.VIEWER,
        "contact_flow": Role.VIEWER,
    }

    @extend_schema(request=None, responses={200: PlanSerializer}, summary="Plan: what apply would change")
    @action(detail=True, methods=["post"])
    def plan(self, request: Request, pk: Any = None) -> Response:
        integration = self.get_object()
        run, plan = actions.plan_integration(integration, actor=Actor.from_request(request))
        return Response({"run": str(run.pk), **plan})

    @extend_schema(request=None, responses={202: RunSerializer}, summary="Apply the integration")
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: Any = None) -> Response:
        run = actions.apply_integration(self.get_object(), actor=Actor.from_request(request))
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: RunSerializer}, summary="Reconcile now")
    @action(detail=True, methods=["post"])
    def reconcile(self, request: Request, pk: Any = None) -> Response:
        run = actions.reconcile_integration(self.get_object(), actor=Actor.from_request(request))
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None, responses={202: RunSerializer}, summary="Tear down every resource, then delete"
    )
    @action(detail=True, methods=["post"])
    def teardown(self, request: Request, pk: Any = None) -> Response:
        run = actions.teardown_integration(self.get_object(), actor=Actor.from_request(request))
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: ResourceNodeSerializer(many=True)}, summary="Each node's external object")
    @action(detail=True, methods=["get"], pagination_class=None)  # every node at once, not a page
    def resources(self, request: Request, pk: Any = None) -> Response:
        integration = self.get_object()
        nodes = self.scoped(ResourceNode).filter(integration=integration)
        return Response(ResourceNodeSerializer(nodes, many=True).data)

    @extend_schema(responses={200: RunSummarySerializer(many=True)}, summary="Runs of this integration")
    @action(detail=True, methods=["get"])
    def runs(self, request: Request, pk: Any = None) -> Response:
        integration = self.get_object()
        runs = self.scoped(Run).filter(integration=integration)
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(RunSummarySerializer(page, many=True).data)

    @extend_schema(
        responses={
            200: OpenApiResponse(description="Amazon Connect flow-language JSON"),
            409: OpenApiResponse(ApiErrorSerializer, description="Not applied yet: no contact flow"),
        },
        summary="The contact flow to import into Amazon Connect",
    )
    @action(detail=True, methods=["get"], url_path="contact-flow")
    def contact_flow(self, request: Request, pk: Any = None) -> HttpResponse:
        integration = self.get_object()
        flow = contact_flow_for(integration)
        if flow is None:
            return Response(
                {"detail": "This integration has no contact flow yet: apply it first.", "code": "not_ready"},
                status=status.HTTP_409_CONFLICT,
            )
        response = HttpResponse(json.dumps(flow, indent=2), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{integration.name}-contact-flow.json"'
        return response
