"""The dashboard's role matrix: every page, the least role that may open it, and the dashboard's routes.

Shared by test_dashboard_pages.py (GET: who sees what) and test_dashboard_refusals.py (POST: who is
refused); the `objects` these pages are opened on is tenants/tests/conftest.py's fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, get_resolver, reverse

from integrations.choices import AccountKind, IntegrationKind
from integrations.models.engine import Run
from integrations.tests.factories import IntegrationFactory, ProviderAccountFactory
from tenants.choices import Role
from tenants.models import AuditEvent
from testing.world import TenantWorld

LOGIN = "/accounts/login/"
DASHBOARD_NAMESPACES = ("tenants", "integrations")
# Routes outside the role matrix: the login/logout pair and the tenant switcher (any member).
# The invitation page is reached by its emailed link (tenants/tests/test_invitations.py).
OPEN_ROUTES = {
    "tenants:login",
    "tenants:logout",
    "tenants:switch-tenant",
    "tenants:home",
    "tenants:invitation-accept",
}
# GET routes answering JSON or a download, not a page (tested in integrations/tests/test_dashboard_engine.py
# and, for an AWS account's policies, test_dashboard_accounts.py).
NOT_PAGES = {
    "integrations:run-status",
    "integrations:integration-contact-flow",
    "integrations:account-trust-policy",
    "integrations:account-permission-policy",
    # the AWS role's CloudFormation template (integrations/tests/test_aws_onboarding.py)
    "integrations:account-role-template",
    "integrations:aws-role-template",
}


@dataclass(frozen=True)
class Page:
    """A dashboard page, the least role that may open it, and text it must show."""

    route: str
    url: Callable[[dict[str, Any]], str]
    min_role: str
    shows: str


def role_at_least(role: str, needed: str) -> bool:
    return Role.covers(role, needed)


PAGES = [
    Page(
        "integrations:integration-list",
        lambda o: reverse("integrations:integration-list"),
        Role.VIEWER,
        "acme-calls",
    ),
    Page(
        "integrations:integration-new",
        lambda o: reverse("integrations:integration-new"),
        Role.OPERATOR,
        "Twilio → Synthflow",
    ),
    Page(
        "integrations:integration-new?kind",
        lambda o: reverse("integrations:integration-new") + "?kind=connect_vapi",
        Role.OPERATOR,
        "Vapi assistant ID",
    ),
    Page(
        "integrations:integration-detail",
        lambda o: reverse("integrations:integration-detail", args=[o["integration"].pk]),
        Role.VIEWER,
        "+14155550100",
    ),
    Page(
        "integrations:integration-edit",
        lambda o: reverse("integrations:integration-edit", args=[o["integration"].pk]),
        Role.OPERATOR,
        "+14155550100",
    ),
    Page(
        "integrations:integration-delete",
        lambda o: reverse("integrations:integration-delete", args=[o["integration"].pk]),
        Role.OPERATOR,
        "Delete acme-calls?",
    ),
    Page(
        "integrations:account-list",
        lambda o: reverse("integrations:account-list"),
        Role.VIEWER,
        "acme twilio",
    ),
    Page(
        "integrations:account-new",
        lambda o: reverse("integrations:account-new"),
        Role.OPERATOR,
        "Genesys Cloud",
    ),
    Page(
        "integrations:account-new?kind",
        lambda o: reverse("integrations:account-new") + "?kind=twilio",
        Role.OPERATOR,
        "Auth token",
    ),
    Page(
        "integrations:account-detail",
        lambda o: reverse("integrations:account-detail", args=[o["account"].pk]),
        Role.VIEWER,
        "auth_token",
    ),
    Page(
        "integrations:account-edit",
        lambda o: reverse("integrations:account-edit", args=[o["account"].pk]),
        Role.OPERATOR,
        "Leave empty to keep the current value.",
    ),
    Page(
        "integrations:account-delete",
        lambda o: reverse("integrations:account-delete", args=[o["account"].pk]),
        Role.OPERATOR,
        "Delete acme twilio",
    ),
    Page("tenants:token-list", lambda o: reverse("tenants:token-list"), Role.ADMIN, "viewer token"),
    Page(
        "tenants:token-created",
        lambda o: reverse("tenants:token-created", args=[o["token"].pk]),
        Role.ADMIN,
        "no longer shown",
    ),
    Page(
        "tenants:member-list",
        lambda o: reverse("tenants:member-list"),
        Role.VIEWER,
        "operator@acme.example.com",
    ),
    Page("tenants:audit-list", lambda o: reverse("tenants:audit-list"), Role.VIEWER, "integration.created"),
    Page(
        "integrations:run-detail",
        lambda o: reverse("integrations:run-detail", args=[o["run"].pk]),
        Role.VIEWER,
        "Events",
    ),
    Page(
        "integrations:run-plan",
        lambda o: reverse("integrations:run-plan", args=[o["run"].pk]),
        Role.VIEWER,
        "No changes.",
    ),
]


def dashboard_routes(method: str) -> set[str]:
    """Names of the dashboard's routes whose views accept `method`."""
    names = set()
    for namespace in DASHBOARD_NAMESPACES:
        resolver = get_resolver(f"{namespace}.urls")
        for pattern in resolver.url_patterns:
            assert isinstance(pattern, URLPattern)
            view = getattr(pattern.callback, "view_class", None)
            accepts = hasattr(view, method) if view else method in ("get", "post")
            if accepts:
                names.add(f"{namespace}:{pattern.name}")
    return names


def tenant_objects(world: TenantWorld) -> dict[str, Any]:
    """An integration (with its accounts), an account, a token and an audit row in tenant `acme`."""
    twilio = ProviderAccountFactory(tenant=world.tenant, kind=AccountKind.TWILIO, name="acme twilio")
    synthflow = ProviderAccountFactory(tenant=world.tenant, kind=AccountKind.SYNTHFLOW, name="acme synthflow")
    integration = IntegrationFactory(
        tenant=world.tenant,
        name="acme-calls",
        kind=IntegrationKind.TWILIO_SYNTHFLOW,
        accounts={"twilio": twilio, "synthflow": synthflow},
    )
    AuditEvent.objects.create(
        tenant=world.tenant,
        action="integration.created",
        object_type="integration",
        object_id="x",
        object_repr="x",
    )
    run = Run.objects.create(
        tenant=world.tenant,
        integration=integration,
        integration_name=integration.name,
        kind="plan",
        state="succeeded",
    )
    return {"integration": integration, "account": twilio, "token": world.tokens[Role.VIEWER], "run": run}
