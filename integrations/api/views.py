"""API endpoints of provider accounts and integrations; every write goes through integrations.actions."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import HttpResponse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from integrations import actions
from integrations.api.declaration_views import IntegrationDeclarationActions
from integrations.api.diagnostics_views import IntegrationDiagnosticsActions
from integrations.api.engine_serializers import RunSerializer, RunSummarySerializer
from integrations.api.engine_views import IntegrationEngineActions
from integrations.api.examples import ACCOUNT_REQUEST_EXAMPLES, INTEGRATION_REQUEST_EXAMPLES
from integrations.api.schema import (
    account_schema,
    integration_schema,
)
from integrations.api.serializers import IntegrationSerializer, ProviderAccountSerializer
from integrations.choices import AccountKind
from integrations.connection_checks import check_connection
from integrations.models import Integration, ProviderAccount
from integrations.models.engine import Run, RunKind
from integrations.vendor_choices import PICKERS, Incomplete, MissingInput, fields_of_account_kind
from integrations.vendors.errors import VendorError
from tenants.api.schema import ApiErrorSerializer
from tenants.api.viewsets import TenantScopedReadOnlyViewSet, TenantScopedViewSet
from tenants.choices import Role

CONNECTION_RESULT = inline_serializer(
    "ConnectionTest",
    {
        "status": drf_serializers.ChoiceField(choices=["ok", "refused", "unreachable"]),
        "ok": drf_serializers.BooleanField(),
        "message": drf_serializers.CharField(help_text="What the vendor answered, in words."),
    },
)
CHOICES_RESULT = inline_serializer(
    "AccountChoices",
    {
        "field": drf_serializers.CharField(),
        "noun": drf_serializers.CharField(help_text="What one choice is, in words."),
        "complete": drf_serializers.BooleanField(
            help_text="False when the vendor has more than Patchbay reads (ids are then not checked)."
        ),
        "choices": inline_serializer(
            "AccountChoice",
            {"value": drf_serializers.CharField(), "label": drf_serializers.CharField()},
            many=True,
        ),
    },
)
ON_SAVE = (
    " When Patchbay checks accounts on save (the default), the answer also has `connection`: the "
    "result of a connection test (see `test-connection`)."
)


@extend_schema_view(
    list=extend_schema(responses=account_schema(many=True)),
    retrieve=extend_schema(responses=account_schema()),
    create=extend_schema(
        description="Create a provider account: `kind` decides its `settings` and `secrets`." + ON_SAVE,
        request=account_schema(),
        responses={201: account_schema()},
        examples=ACCOUNT_REQUEST_EXAMPLES,
    ),
    update=extend_schema(
        description="Replace a provider account's name and settings (its kind is fixed)." + ON_SAVE,
        request=account_schema(),
        responses=account_schema(),
    ),
    partial_update=extend_schema(
        description=(
            "Change some of a provider account's fields. `settings` is a JSON merge patch of the "
            "current settings (a key set to null is removed); only the `secrets` given change. `kind`, "
            "if given, must be the account's kind." + ON_SAVE
        ),
        request=account_schema(),
        responses=account_schema(),
    ),
)
class ProviderAccountViewSet(TenantScopedViewSet):
    """Provider accounts of the tenant (secrets write-only); filter by `kind`, `name`."""

    queryset = ProviderAccount.objects.all()
    serializer_class = ProviderAccountSerializer
    filter_fields = ("kind", "name")
    action_roles = {"test_connection": Role.OPERATOR, "choices": Role.OPERATOR}

    def _with_connection(self, response: Response) -> Response:
        """A create's or update's answer, with the account's connection test when checks run on save."""
        if response.status_code < 300 and settings.VENDOR_CHECKS_ON_SAVE:
            account = ProviderAccount.objects.get(pk=response.data["id"])
            response.data["connection"] = check_connection(account).as_json()
        return response

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._with_connection(super().create(request, *args, **kwargs))

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._with_connection(super().update(request, *args, **kwargs))

    @extend_schema(
        request=None,
        responses={200: CONNECTION_RESULT},
        summary="Test the account's connection",
        description=(
            "One cheap authenticated read at the vendor with the stored settings and secrets: AWS "
            "AssumeRole with the external id (then one read the permission policy allows); Vapi, "
            "Synthflow, Genesys Cloud and Twilio a list call. 200 whatever the vendor answered; "
            "`status` says what happened and `message` says it in words."
        ),
    )
    @action(detail=True, methods=["post"], url_path="test-connection")
    def test_connection(self, request: Request, pk: Any = None) -> Response:
        return Response(check_connection(self.get_object()).as_json())

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "field",
                str,
                required=True,
                enum=sorted({field for _, field in PICKERS}),
                description="The config field to list choices for (which ones depends on the account's "
                "kind: see below).",
            ),
            OpenApiParameter("connect_instance_id", str, description="For `connect_phone_numbers`."),
            OpenApiParameter("site_id", str, description="For `outbound_route_id`."),
        ],
        responses={
            200: CHOICES_RESULT,
            400: OpenApiResponse(ApiErrorSerializer, description="Unknown field or missing input"),
            503: OpenApiResponse(ApiErrorSerializer, description="The vendor could not be asked"),
        },
        summary="What the account offers for an integration's config field",
        description=(
            "Lists, from the vendor, the values a config field may take with this account: AWS "
            "`connect_instance_id`, `connect_phone_numbers` (needs `connect_instance_id`), "
            "`phone_number` (Chime numbers); Vapi `vapi_assistant_id`; Synthflow "
            "`synthflow_assistant_id`; Genesys `site_id`, `outbound_route_id` (needs `site_id`); "
            "Twilio `twilio_number`. 503 `vendor_unavailable` when the vendor cannot be asked: type "
            "the value instead (it is still checked when the integration is saved, if the vendor answers)."
        ),
    )
    @action(detail=True, methods=["get"], url_path="choices")
    def choices(self, request: Request, pk: Any = None) -> Response:
        account = self.get_object()
        field = str(request.query_params.get("field", ""))
        picker = PICKERS.get((account.kind, field))
        if picker is None:
            offered = ", ".join(fields_of_account_kind(account.kind))
            raise ValidationError({"field": [f"A {account.kind} account lists choices for: {offered}."]})
        label = AccountKind(account.kind).label
        complete = True
        try:
            choices = picker.choices(account, request.query_params)
        except Incomplete as partial:
            choices, complete = partial.choices, False
        except MissingInput as missing:
            raise ValidationError({missing.field: [str(missing)]}) from None
        except VendorError as error:
            return Response(
                {
                    "detail": f"Could not list each {picker.noun} from {label}: {error}. Type the value "
                    "yourself.",
                    "code": "vendor_unavailable",
                },
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        usable = [c.as_json() for c in choices if not c.problem]
        return Response({"field": field, "noun": picker.noun, "choices": usable, "complete": complete})

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

    def _policy_download(self, document: str, policy: dict[str, Any] | None) -> HttpResponse:
        if policy is None:
            return Response(
                {"detail": "Only AWS accounts have role policies.", "code": "not_aws"},
                status=status.HTTP_404_NOT_FOUND,
            )
        response = HttpResponse(json.dumps(policy, indent=2), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="patchbay-{document}.json"'
        return response

    @extend_schema(
        responses={200: OpenApiResponse(description="IAM policy document (JSON)")},
        summary="AWS only: the role's trust policy, as a download",
    )
    @action(detail=True, methods=["get"], url_path="trust-policy")
    def trust_policy(self, request: Request, pk: Any = None) -> HttpResponse:
        return self._policy_download("trust-policy", self.get_object().trust_policy())

    @extend_schema(
        responses={200: OpenApiResponse(description="IAM policy document (JSON)")},
        summary="AWS only: the role's least-privilege permission policy, as a download",
    )
    @action(detail=True, methods=["get"], url_path="permission-policy")
    def permission_policy(self, request: Request, pk: Any = None) -> HttpResponse:
        return self._policy_download("permission-policy", self.get_object().permission_policy())


@extend_schema_view(
    list=extend_schema(responses=integration_schema(many=True)),
    retrieve=extend_schema(responses=integration_schema()),
    create=extend_schema(
        description=(
            "Create an integration: `kind` decides its `config` and the provider accounts it takes "
            "(`accounts`, by account kind). Nothing is provisioned until it is applied."
        ),
        request=integration_schema(),
        responses={201: integration_schema()},
        examples=INTEGRATION_REQUEST_EXAMPLES,
    ),
    update=extend_schema(
        description="Replace an integration's accounts, config and policy (its name and kind are fixed).",
        request=integration_schema(),
        responses=integration_schema(),
    ),
    partial_update=extend_schema(
        description=(
            "Change some of an integration's accounts, config and policy. `config` is a JSON merge "
            "patch of the current config (a key set to null is removed). `name` and `kind`, if given, "
            "must be the integration's."
        ),
        request=integration_schema(),
        responses=integration_schema(),
    ),
    destroy=extend_schema(
        description=(
            "Tear the integration down: a teardown run deletes its resources (dependents first), then "
            "the integration. Answers 202 with the run; poll `runs/{id}/`."
        ),
        responses={202: RunSerializer},
    ),
)
class IntegrationViewSet(
    IntegrationDeclarationActions,
    IntegrationEngineActions,
    IntegrationDiagnosticsActions,
    TenantScopedViewSet,
):
    """Integrations of the tenant; filter by `kind`, `name`; plan / apply / reconcile / teardown;
    export / declare."""

    queryset = Integration.objects.all()
    serializer_class = IntegrationSerializer
    filter_fields = ("kind", "name")
    action_roles = {
        **IntegrationEngineActions.engine_action_roles,
        **IntegrationDeclarationActions.declaration_action_roles,
    }

    def get_queryset(self) -> Any:
        # `latest_run` of every listed integration in one query (no query per row).
        latest = (
            Run.objects.filter(integration=OuterRef("integration"))
            .exclude(kind=RunKind.PLAN)
            .order_by("-created_at", "-id")
            .values("pk")[:1]
        )
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("runs", queryset=Run.objects.filter(pk=Subquery(latest)), to_attr="latest_runs")
            )
        )

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        run = actions.request_teardown(self.get_object(), actor=self.actor)
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    def perform_create(self, serializer: IntegrationSerializer) -> None:
        serializer.instance = actions.create_integration(
            self.request.tenant, actor=self.actor, **serializer.validated_data
        )

    def perform_update(self, serializer: IntegrationSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("name", None)
        data.pop("kind", None)
        serializer.instance = actions.update_integration(serializer.instance, actor=self.actor, **data)


class RunViewSet(TenantScopedReadOnlyViewSet):
    """Runs of the tenant's integrations, newest first; one run has its events (DESIGN §8).

    Filter by `integration`, `kind`, `state`.
    """

    queryset = Run.objects.all()
    filter_fields = ("integration", "kind", "state")

    def get_serializer_class(self) -> type:
        return RunSerializer if self.action == "retrieve" else RunSummarySerializer

    @extend_schema(responses={200: RunSerializer, 404: OpenApiResponse(description="No such run")})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)
