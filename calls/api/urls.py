"""Routes of the calls API under /api/v1/: the per-integration collections (the top-level
`calls/` and `traces/` viewsets are registered on the shared router in controlplane/api_urls.py)."""

from django.urls import path

from calls.api.views import IntegrationCallViewSet, IntegrationProbeRequestViewSet, IntegrationProbeViewSet

nested_urlpatterns = [
    path(
        "integrations/<uuid:integration_id>/calls/",
        IntegrationCallViewSet.as_view({"get": "list", "post": "create"}),
        name="integration-calls-list",
    ),
    path(
        "integrations/<uuid:integration_id>/probes/",
        IntegrationProbeViewSet.as_view({"get": "list", "post": "create"}),
        name="integration-probes-list",
    ),
    path(
        "integrations/<uuid:integration_id>/probes/requests/",
        IntegrationProbeRequestViewSet.as_view({"get": "list"}),
        name="integration-probe-requests-list",
    ),
    path(
        "integrations/<uuid:integration_id>/probes/requests/<str:pk>/",
        IntegrationProbeRequestViewSet.as_view({"get": "retrieve"}),
        name="integration-probe-requests-detail",
    ),
]
