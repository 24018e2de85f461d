"""Root URLs: dashboard, REST API under /api/v1/, OpenAPI, health, vendor webhooks."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from controlplane import health

# Errors under /api/ in the API's JSON shape (DESIGN §8); HTML pages elsewhere.
handler400 = "tenants.api.errors.bad_request"
handler403 = "tenants.api.errors.permission_denied"
handler404 = "tenants.api.errors.page_not_found"
handler500 = "tenants.api.errors.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("monitoring.urls")),  # /metrics (issue 16)
    path("alerts/", include("alerts.urls")),  # issue 16
    path("api/v1/", include("controlplane.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("hooks/", include("integrations.hooks.urls")),
    path("", include("tenants.urls")),
    path("", include("integrations.urls")),
    path("", include("calls.urls")),
    path("", include("integrations.diagnostics.urls")),
]
