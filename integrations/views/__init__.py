"""Dashboard pages of the integrations app (one module per area, as NetBox splits its views)."""

from integrations.views.accounts import (
    AccountCreateView,
    AccountDeleteView,
    AccountDetailView,
    AccountEditView,
    AccountListView,
)
from integrations.views.integrations import (
    IntegrationCreateView,
    IntegrationDeleteView,
    IntegrationDetailView,
    IntegrationEditView,
    IntegrationListView,
)

__all__ = [
    "AccountCreateView",
    "AccountDeleteView",
    "AccountDetailView",
    "AccountEditView",
    "AccountListView",
    "IntegrationCreateView",
    "IntegrationDeleteView",
    "IntegrationDetailView",
    "IntegrationEditView",
    "IntegrationListView",
]
