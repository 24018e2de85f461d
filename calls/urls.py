"""Dashboard URLs of SIP observability: calls and ladders, probe history, uploaded traces."""

from django.urls import path

from calls import views

app_name = "calls"

urlpatterns = [
    path(
        "integrations/<uuid:integration_id>/calls/",
        views.IntegrationCallsView.as_view(),
        name="integration-calls",
    ),
    path(
        "integrations/<uuid:integration_id>/probes/",
        views.IntegrationProbesView.as_view(),
        name="integration-probes",
    ),
    path("calls/<uuid:pk>/", views.CallDetailView.as_view(), name="call-detail"),
    path("calls/<uuid:pk>/sip.txt", views.CallSipDownloadView.as_view(), name="call-sip"),
    path("traces/", views.TraceListView.as_view(), name="trace-list"),
    path("traces/<uuid:pk>/", views.TraceDetailView.as_view(), name="trace-detail"),
]
