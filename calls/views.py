"""Dashboard pages of SIP observability: an integration's calls, a call's ladder, probe history,
uploaded traces.

Rows are reached only through `TenantScopedMixin.get_queryset()` (through
`DashboardMixin`); the integration of an `integrations/<integration_id>/...`
page is looked up in the tenant's own integrations, so another tenant's id is
a 404. Every change goes through `calls.actions` (or the fetch schedule, which
moves the log cursor), never through a view.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import DetailView, ListView

from calls import actions
from calls.fetch_schedule import READERS, fetch_since_cursor
from calls.ladder import ladder_context
from calls.models import ProbeRequest, ProbeResult, SipCall, SipMessageRecord, SipTrace
from calls.probes import probe_panel_context
from calls.search import CallSearchForm
from calls.settling import is_complete
from calls.sip_download import sip_text_download
from calls.trace_files import TraceError
from calls.trace_reading import MAX_CALLS_PER_FILE, MAX_MESSAGES_PER_CALL, MAX_MESSAGES_PER_FILE
from calls.trace_uploads import limit_trace_upload, refusal
from integrations.kinds import kinds_where
from integrations.scoping import IntegrationChildMixin
from integrations.vendors.errors import VendorError
from tenants.views import DashboardMixin

CALLS_PAGE_SIZE = 50
#: while a probe runs, the probes page reloads itself this often to show the results
PROBE_PAGE_REFRESH_SECONDS = 2
TRACES_PAGE_SIZE = 50
#: ladders drawn on a trace's page; the other calls of the trace are linked
TRACE_LADDERS_SHOWN = 5
#: kinds whose calls Patchbay reads itself (a connector's SIP log, Genesys's SIP traces, Twilio's webhooks)
FETCHABLE_KINDS = frozenset(kinds_where(lambda kind: kind.CALLS_LOG in READERS))


def ordered_messages() -> Prefetch:
    """The messages of calls, in ladder order, in one query for all of them."""
    return Prefetch("messages", queryset=SipMessageRecord.objects.order_by("at", "seq", "id"))


class IntegrationPageMixin(DashboardMixin, IntegrationChildMixin):
    """For pages under `integrations/<integration_id>/`: the tenant's integration as `self.integration`."""

    nav_section = "integrations"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["integration"] = self.integration
        return context


class IntegrationCallsView(IntegrationPageMixin, ListView):
    """An integration's calls, newest first: time, From and To, outcome, the reason in words, far end,
    duration; searchable by number, outcome and time range (calls.search, the API's filters).
    POST reads the calls now (connector SIP log, Genesys SIP traces, Twilio's webhook events) instead
    of waiting for the periodic fetch."""

    model = SipCall
    template_name = "calls/call_list.html"
    paginate_by = CALLS_PAGE_SIZE

    @cached_property
    def search(self) -> CallSearchForm:
        return CallSearchForm(self.request.GET)

    def get_queryset(self) -> QuerySet[SipCall]:
        calls = super().get_queryset().annotate(message_count=Count("messages"))
        if self.search.is_valid():
            calls = self.search.apply(calls)
        return calls.order_by("-started_at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_fetch"] = self.integration.kind in FETCHABLE_KINDS
        context["cursor"] = getattr(self.integration, "call_log_cursor", None)
        context["search"] = self.search
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        integration = self.integration
        here = reverse("calls:integration-calls", kwargs={"integration_id": integration.pk})
        if integration.kind not in FETCHABLE_KINDS:
            messages.error(request, "Patchbay cannot read the calls of this kind of integration itself.")
            return redirect(here)
        try:
            report = fetch_since_cursor(integration)
        except VendorError as error:
            messages.error(request, f"Reading the integration's calls failed: {error}")
            return redirect(here)
        found = len({call.pk for call in report.calls})
        text = f"Read {report.events} log events: {found} call{'s' if found != 1 else ''} updated."
        if report.note:
            text += f" {report.note}"
        messages.success(request, text)
        return redirect(here)


class CallDetailView(DashboardMixin, DetailView):
    """One call drawn as a ladder, with each message's raw text a click away."""

    model = SipCall
    template_name = "calls/call_detail.html"
    nav_section = "integrations"

    def get_queryset(self) -> QuerySet[SipCall]:
        scoped = super().get_queryset().select_related("integration", "trace")
        return scoped.prefetch_related(ordered_messages())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["ladder"] = ladder_context(self.object)
        context["ladder_complete"] = is_complete(self.object, self.object.messages.all())
        return context


class CallSipDownloadView(DashboardMixin, DetailView):
    """The call's SIP messages as a text file (the same as the API's `calls/{id}/sip/`)."""

    model = SipCall
    nav_section = "integrations"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return sip_text_download(self.get_object())


class IntegrationProbesView(IntegrationPageMixin, ListView):
    """SIP OPTIONS probe history per target of an integration; POST probes every target now."""

    model = ProbeResult
    template_name = "calls/probe_list.html"
    history = 100

    def get_queryset(self) -> QuerySet[ProbeResult]:
        return super().get_queryset().select_related("target")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(probe_panel_context(self.integration, history=self.history))
        context["probe_request"] = ProbeRequest.objects.filter(integration=self.integration).first()
        context["refresh_seconds"] = PROBE_PAGE_REFRESH_SECONDS
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Queued for a worker: probing waits up to the SIP timeout per target, too long for a request.
        actions.request_probes(self.integration, actor=self.actor)
        return redirect("calls:integration-probes", integration_id=self.integration.pk)


class TraceUploadForm(forms.Form):
    """A SIP trace file: a text log of SIP messages, or a pcap / pcapng capture."""

    file = forms.FileField(
        label="Trace file",
        help_text="A text log of SIP messages (sngrep, tcpdump -A, a log of raw messages) or a pcap / pcapng "
        f"capture: up to {settings.TRACE_MAX_BYTES // (1024 * 1024)} MB, {MAX_CALLS_PER_FILE:,} calls, "
        f"{MAX_MESSAGES_PER_FILE:,} SIP messages and {MAX_MESSAGES_PER_CALL:,} messages per call. Filter a "
        "longer capture to the calls you need (by Call-ID in sngrep or Wireshark).",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.TRACE_MAX_BYTES:
            limit = settings.TRACE_MAX_BYTES
            raise forms.ValidationError(
                f"The file has {upload.size} bytes; traces up to {limit} bytes are accepted."
            )
        return upload


@method_decorator(csrf_exempt, name="dispatch")  # checked in `checked_dispatch`, once the limit is on
class TraceListView(DashboardMixin, ListView):
    """Uploaded SIP traces, newest first, and the form to upload one (operators). An upload over
    `TRACE_MAX_BYTES` is stopped while it streams (calls.trace_uploads) and answered 413."""

    model = SipTrace
    template_name = "calls/trace_list.html"
    paginate_by = TRACES_PAGE_SIZE
    nav_section = "traces"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The CSRF check reads the form, so the upload limit must be in place before it (Django's
        # "modifying upload handlers on the fly" pattern: csrf_exempt outside, csrf_protect inside).
        if request.method == "POST":
            limit_trace_upload(request)
        return self.checked_dispatch(request, *args, **kwargs)

    @method_decorator(csrf_protect)
    def checked_dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """The view behind the CSRF check."""
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[SipTrace]:
        return super().get_queryset().annotate(call_count=Count("calls")).order_by("-created_at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", TraceUploadForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = TraceUploadForm(request.POST, request.FILES)
        status = 400
        if (reason := refusal(request)) is not None:
            form = TraceUploadForm()
            form.errors["file"] = form.error_class([reason])
            status = 413
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                trace = actions.upload_trace(
                    request.tenant,  # type: ignore[attr-defined]
                    upload.read(),
                    upload.name or "",
                    actor=self.actor,
                )
            except TraceError as error:
                form.add_error("file", error.detail)
            else:
                count = trace.calls.count()
                plural = "s" if count != 1 else ""
                messages.success(request, f"Read {trace.filename} ({trace.format}): {count} call{plural}.")
                return redirect("calls:trace-detail", pk=trace.pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=status)


class TraceDetailView(DashboardMixin, DetailView):
    """An uploaded trace: its calls, the first few drawn as ladders."""

    model = SipTrace
    template_name = "calls/trace_detail.html"
    nav_section = "traces"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        calls = list(
            self.scoped(SipCall)
            .filter(trace=self.object)
            .order_by("started_at", "id")
            .annotate(message_count=Count("messages"))
        )
        shown = (
            SipCall.objects.filter(pk__in=[call.pk for call in calls[:TRACE_LADDERS_SHOWN]])
            .order_by("started_at", "id")
            .prefetch_related(ordered_messages())
        )
        context.update(calls=calls, ladders=[ladder_context(call) for call in shown])
        return context
