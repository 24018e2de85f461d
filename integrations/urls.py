"""Dashboard URLs of the integrations app: integrations and provider accounts."""

from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("integrations/", views.IntegrationListView.as_view(), name="integration-list"),
    # `?kind=<integration kind>` picks the form; without it the page offers the four kinds.
    path("integrations/new/", views.IntegrationCreateView.as_view(), name="integration-new"),
    path("integrations/<uuid:pk>/", views.IntegrationDetailView.as_view(), name="integration-detail"),
    path("integrations/<uuid:pk>/edit/", views.IntegrationEditView.as_view(), name="integration-edit"),
    # Delete = tear down: a teardown run removes every resource, then the integration (engine.py).
    path(
        "integrations/<uuid:pk>/delete/", views.IntegrationTeardownView.as_view(), name="integration-delete"
    ),
    path("integrations/<uuid:pk>/plan/", views.IntegrationPlanView.as_view(), name="integration-plan"),
    path("integrations/<uuid:pk>/apply/", views.IntegrationApplyView.as_view(), name="integration-apply"),
    path(
        "integrations/<uuid:pk>/reconcile/",
        views.IntegrationReconcileView.as_view(),
        name="integration-reconcile",
    ),
    path(
        "integrations/<uuid:pk>/contact-flow/",
        views.ContactFlowView.as_view(),
        name="integration-contact-flow",
    ),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run-detail"),
    path("runs/<int:pk>/status/", views.RunStatusView.as_view(), name="run-status"),
    path("runs/<int:pk>/plan/", views.RunPlanView.as_view(), name="run-plan"),
    path("provider-accounts/", views.AccountListView.as_view(), name="account-list"),
    path("provider-accounts/new/", views.AccountCreateView.as_view(), name="account-new"),
    # AWS: the CloudFormation template creating the role (New AWS account page: ?token=; an account).
    path(
        "provider-accounts/aws-role.template.json",
        views.AwsRoleTemplateView.as_view(),
        name="aws-role-template",
    ),
    path(
        "provider-accounts/<uuid:pk>/role.template.json",
        views.AccountTemplateView.as_view(),
        name="account-role-template",
    ),
    path("provider-accounts/<uuid:pk>/", views.AccountDetailView.as_view(), name="account-detail"),
    path("provider-accounts/<uuid:pk>/edit/", views.AccountEditView.as_view(), name="account-edit"),
    path(
        "provider-accounts/<uuid:pk>/test-connection/",
        views.AccountTestConnectionView.as_view(),
        name="account-test-connection",
    ),
    path("provider-accounts/<uuid:pk>/delete/", views.AccountDeleteView.as_view(), name="account-delete"),
    # AWS accounts: the role's trust and permission policies as JSON downloads.
    path(
        "provider-accounts/<uuid:pk>/trust-policy.json",
        views.AccountPolicyView.as_view(document="trust-policy"),
        name="account-trust-policy",
    ),
    path(
        "provider-accounts/<uuid:pk>/permission-policy.json",
        views.AccountPolicyView.as_view(document="permission-policy"),
        name="account-permission-policy",
    ),
]
