"""The URLs the webhooks' handler resolves (controlplane/hooks_handler.py): the `/hooks/` tree only, mounted
as controlplane/urls.py mounts it, so no dashboard or API view can be reached without its middleware."""

from django.urls import include, path

urlpatterns = [path("hooks/", include("integrations.hooks.urls"))]
