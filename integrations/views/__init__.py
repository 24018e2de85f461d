"""Dashboard pages of the integrations app (one module per area, as NetBox splits its views)."""

from integrations.views.accounts import (
    AccountCreateView,
    AccountDeleteView,
    AccountDetailView,
    AccountEditView,
    AccountListView,
    AccountPolicyView,
    AccountTemplateView,
    AccountTestConnectionView,
    AwsRoleTemplateView,
)
from integrations.views.engine import (
    ContactFlowView,
    IntegrationApplyView,
    IntegrationPlanView,
    IntegrationReconcileView,
    RunDetailView,
    RunPlanView,
    RunStatusView,
)
from integrations.views.integrations import (
    IntegrationCreateView,
    IntegrationDetailView,
    IntegrationEditView,
    IntegrationListView,
)
from integrations.views.teardown import IntegrationTeardownView

__all__ = [
    "AccountCreateView",
    "AccountDeleteView",
    "AccountDetailView",
    "AccountEditView",
    "AccountListView",
    "AccountPolicyView",
    "AccountTemplateView",
    "AccountTestConnectionView",
    "AwsRoleTemplateView",
    "ContactFlowView",
    "IntegrationApplyView",
    "IntegrationCreateView",
    "IntegrationDetailView",
    "IntegrationEditView",
    "IntegrationListView",
    "IntegrationPlanView",
    "IntegrationReconcileView",
    "IntegrationTeardownView",
    "RunDetailView",
    "RunPlanView",
    "RunStatusView",
]
