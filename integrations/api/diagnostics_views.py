"""`integrations/{id}/diagnostics/`: GET the latest findings, POST runs the checks now (DESIGN §8)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from integrations.diagnostics.actions import run_diagnostics_now
from integrations.diagnostics.findings import FindingStatus, Severity
from integrations.diagnostics.models import DiagnosticReport, Trigger
from integrations.diagnostics.runner import latest_report
from tenants.audit import Actor


class FindingSerializer(serializers.Serializer):
    """One check's conclusion: `problem` findings carry the fix."""

    check = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=FindingStatus.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    message = serializers.CharField()
    evidence = serializers.CharField(allow_blank=True)
    fix = serializers.CharField(allow_blank=True)


class DiagnosticReportSerializer(serializers.Serializer):
    """`{"id", "created_at", "trigger", "findings": [...]}`; before any run: no id and no findings."""

    id = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)
    trigger = serializers.ChoiceField(choices=Trigger.choices, allow_null=True)
    findings = FindingSerializer(many=True)


def report_body(report: DiagnosticReport | None) -> dict[str, Any]:
    if report is None:
        return {"id": None, "created_at": None, "trigger": None, "findings": []}
    return {
        "id": str(report.pk),
        "created_at": report.created_at,
        "trigger": report.trigger,
        "findings": report.findings,
    }


class IntegrationDiagnosticsActions:
    """Mixed into the integrations viewset: reading runs with the viewer role, running with operator."""

    @extend_schema(
        methods=["GET"], request=None, responses={200: DiagnosticReportSerializer}, summary="Latest findings"
    )
    @extend_schema(
        methods=["POST"],
        request=None,
        responses={201: DiagnosticReportSerializer},
        summary="Run the checks now",
    )
    @action(detail=True, methods=["get", "post"])
    def diagnostics(self, request: Request, pk: Any = None) -> Response:
        integration = self.get_object()  # type: ignore[attr-defined]
        if request.method == "POST":
            report = run_diagnostics_now(integration, actor=Actor.from_request(request))
            body = DiagnosticReportSerializer(report_body(report)).data
            return Response(body, status=status.HTTP_201_CREATED)
        return Response(DiagnosticReportSerializer(report_body(latest_report(integration))).data)
