"""The REST API under /api/v1/: one router for every tenant-owned collection."""

from rest_framework.routers import DefaultRouter

from calls.api.urls import nested_urlpatterns as calls_nested_urlpatterns
from calls.api.views import SipCallViewSet, TraceViewSet
from integrations.api.views import IntegrationViewSet, ProviderAccountViewSet, RunViewSet
from tenants.api.views import ApiTokenViewSet, AuditEventViewSet, InvitationViewSet, MembershipViewSet

router = DefaultRouter()
router.register("accounts", ProviderAccountViewSet, basename="account")
router.register("integrations", IntegrationViewSet, basename="integration")
router.register("runs", RunViewSet, basename="run")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("members", MembershipViewSet, basename="member")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("audit", AuditEventViewSet, basename="audit")
router.register("calls", SipCallViewSet, basename="call")
router.register("traces", TraceViewSet, basename="trace")

urlpatterns = [*calls_nested_urlpatterns, *router.urls]
