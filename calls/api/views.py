"""API endpoints of calls, traces and SIP probes; every state change goes through calls.actions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from calls import actions
from calls.api.filters import CallSearchFilter
from calls.api.serializers import (
    CallFetchSerializer,
    ProbeRequestSerializer,
    ProbeResultSerializer,
    SipCallSerializer,
    SipTraceSerializer,
    TraceUploadSerializer,
)
from calls.fetch_schedule import fetch_since_cursor
from calls.ladder import render_ladder_svg
from calls.models import ProbeRequest, ProbeResult, SipCall, SipMessageRecord, SipTrace
from calls.sip_download import sip_text_download
from calls.trace_files import TraceError
from calls.trace_uploads import limit_trace_upload, refusal
from integrations.scoping import IntegrationChildMixin
from integrations.vendors.errors import VendorError
from tenants.api.filters import ExactFieldFilter
from tenants.api.pagination import StandardPagination
from tenants.api.parsers import BoundedFormParser
from tenants.api.schema import ApiErrorSerializer
from tenants.api.viewsets import TenantScopedReadOnlyViewSet, TenantScopedViewSet


class TraceRejected(APIException):
    """An uploaded file that holds no readable SIP trace."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The file is not a readable SIP trace."
    default_code = "invalid_trace"


class CallLogUnavailable(APIException):
    """The customer's CloudWatch Logs could not be read (role, permissions, throttling, outage)."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = "The connector's SIP log could not be read."
    default_code = "call_log_unavailable"


class TraceTooLarge(APIException):
    """An uploaded file over `TRACE_MAX_BYTES`."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The trace file is too large."
    default_code = "trace_too_large"


def _calls_with_messages(queryset: QuerySet) -> QuerySet:
    # One query for the calls and one for all their messages, whatever the page size (DESIGN §6).
    return queryset.prefetch_related(
        Prefetch("messages", queryset=SipMessageRecord.objects.order_by("at", "seq"))
    )


class SipCallViewSet(TenantScopedViewSet):
    """Calls of the tenant with their ladders, newest first; filter by `integration`, `source`,
    `call_id`, `final_status`, and search by `number`, `status` and time (`since`, `until`)."""

    queryset = SipCall.objects.order_by("-started_at", "-id")
    serializer_class = SipCallSerializer
    filter_backends = [ExactFieldFilter, CallSearchFilter]
    filter_fields = ("integration", "source", "call_id", "final_status")
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> QuerySet:
        return _calls_with_messages(super().get_queryset())

    @extend_schema(responses={(200, "image/svg+xml"): bytes})
    @action(detail=True, methods=["get"])
    def ladder(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The call's ladder as an SVG image (arrows link to `#msg-<id>` of the dashboard page)."""
        call = self.get_object()
        return HttpResponse(render_ladder_svg(call, list(call.messages.all())), content_type="image/svg+xml")

    @extend_schema(responses={(200, "text/plain"): bytes})
    @action(detail=True, methods=["get"], url_path="sip")
    def sip(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The call's SIP messages as one text file (a download), in ladder order."""
        return sip_text_download(self.get_object())


class IntegrationCallViewSet(IntegrationChildMixin, TenantScopedViewSet):
    """Calls of one integration, newest first, each with its messages (search by `number`, `status`,
    `since`, `until`); POST reads the connector's SIP log now (since the last read) instead of waiting
    for the periodic fetch."""

    queryset = SipCall.objects.order_by("-started_at", "-id")
    serializer_class = SipCallSerializer
    filter_backends = [ExactFieldFilter, CallSearchFilter]
    filter_fields = ("source", "call_id", "final_status")
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet:
        return _calls_with_messages(super().get_queryset())

    @extend_schema(
        request=None,
        responses={
            200: CallFetchSerializer,
            502: OpenApiResponse(ApiErrorSerializer, description="The connector's SIP log could not be read"),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            report = fetch_since_cursor(self.integration)
        except VendorError as error:
            raise CallLogUnavailable(f"Reading the connector's SIP log failed: {error}") from None
        calls = self.get_queryset().filter(pk__in=[c.pk for c in report.calls]).order_by("started_at")
        body = {
            "log_group": report.log_group,
            "events": report.events,
            "note": report.note,
            "calls": SipCallSerializer(calls, many=True).data,
        }
        return Response(body)


class TracePagination(StandardPagination):
    """Fewer traces per page than other lists: each lists its calls (up to `MAX_CALLS_PER_FILE`), so a
    page holds at most 20 x 500 call summaries."""

    page_size = 20
    max_page_size = 20


def traces_with_call_summaries(queryset: QuerySet) -> QuerySet:
    """Traces with their calls (oldest first), each call counting its messages: two queries a page."""
    calls = SipCall.objects.annotate(message_count=Count("messages")).order_by("started_at", "id")
    return queryset.prefetch_related(Prefetch("calls", queryset=calls))


class TraceViewSet(TenantScopedViewSet):
    """Uploaded SIP traces with a summary of each of their calls; POST a trace (multipart `file`: a
    text log, pcap or pcapng) → 201 `{"id", ..., "calls": [<call summary>, ...]}`. A call's messages
    are at `calls/{id}/`. A file over `TRACE_MAX_BYTES` is refused while it streams (413); a trace
    over the caps of `calls.trace_reading` is a 400 naming the cap."""

    queryset = SipTrace.objects.all()
    serializer_class = SipTraceSerializer
    pagination_class = TracePagination
    parser_classes = [MultiPartParser, BoundedFormParser]
    http_method_names = ["get", "post", "head", "options"]

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        if request.method == "POST":
            limit_trace_upload(request)  # before authentication or idempotency read the body
        return super().initialize_request(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return traces_with_call_summaries(super().get_queryset())

    @extend_schema(request=TraceUploadSerializer, responses={201: SipTraceSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload = request.FILES.get("file")
        if (reason := refusal(request._request)) is not None:
            raise TraceTooLarge(reason)
        if upload is None:
            raise ValidationError({"file": ["Upload the trace as the multipart field 'file'."]})
        if upload.size > settings.TRACE_MAX_BYTES:
            limit = settings.TRACE_MAX_BYTES
            raise TraceTooLarge(f"The file has {upload.size} bytes; traces up to {limit} bytes are accepted.")
        try:
            trace = actions.upload_trace(request.tenant, upload.read(), upload.name or "", actor=self.actor)
        except TraceError as error:
            raise TraceRejected(error.detail, code=error.code) from None
        stored = self.get_queryset().get(pk=trace.pk)
        return Response(self.get_serializer(stored).data, status=status.HTTP_201_CREATED)


class IntegrationProbeViewSet(IntegrationChildMixin, TenantScopedViewSet):
    """SIP OPTIONS probe history of one integration (newest first); POST queues a probe of every
    target now (202 with the request; poll `probes/requests/{id}/` until `done`, then list the
    history): probing waits up to the SIP timeout per target, too long to hold a request open."""

    queryset = ProbeResult.objects.select_related("target")
    serializer_class = ProbeResultSerializer
    filter_fields = ("status", "target")
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=None, responses={202: ProbeRequestSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queued = actions.request_probes(self.integration, actor=self.actor)
        return Response(ProbeRequestSerializer(queued).data, status=status.HTTP_202_ACCEPTED)


class IntegrationProbeRequestViewSet(IntegrationChildMixin, TenantScopedReadOnlyViewSet):
    """Probes asked for on one integration, newest first: their state and what came of them."""

    queryset = ProbeRequest.objects.all()
    serializer_class = ProbeRequestSerializer
