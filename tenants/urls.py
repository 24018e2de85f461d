"""Dashboard URLs of the tenants app: login, tenant switcher, tokens, members, audit log."""

from django.urls import path

from tenants import invitation_views, views

app_name = "tenants"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("tenants/switch/", views.switch_tenant, name="switch-tenant"),
    path("tokens/", views.TokenListView.as_view(), name="token-list"),
    path("tokens/<uuid:pk>/created/", views.TokenCreatedView.as_view(), name="token-created"),
    path("tokens/<uuid:pk>/revoke/", views.TokenRevokeView.as_view(), name="token-revoke"),
    path("members/", views.MemberListView.as_view(), name="member-list"),
    path("members/<uuid:pk>/role/", views.MemberRoleView.as_view(), name="member-role"),
    path("members/<uuid:pk>/remove/", views.MemberRemoveView.as_view(), name="member-remove"),
    path("invitations/<uuid:pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitation-revoke"),
    path(
        "invitations/accept/<str:token>/",
        invitation_views.InvitationAcceptView.as_view(),
        name="invitation-accept",
    ),
    path("audit/", views.AuditListView.as_view(), name="audit-list"),
]
