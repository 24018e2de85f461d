"""Dashboard URLs of diagnostics."""

from django.urls import path

from integrations.diagnostics import views

app_name = "diagnostics"

urlpatterns = [
    path(
        "integrations/<uuid:pk>/diagnostics/run/",
        views.RunDiagnosticsView.as_view(),
        name="integration-diagnostics-run",
    ),
]
