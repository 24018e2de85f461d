"""Every dashboard page for every role: who sees it, who may change things, and what they see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from integrations.choices import AccountKind, IntegrationKind
from integrations.models import Integration, ProviderAccount
from integrations.models.engine import Run
from integrations.tests.factories import IntegrationFactory, ProviderAccountFactory
from tenants.choices import Role
from tenants.models import ApiToken, AuditEvent, Membership
from tenants.tests.factories import InvitationFactory, UserFactory
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


@pytest.fixture
def objects(world: TenantWorld) -> dict[str, Any]:
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


def test_every_dashboard_page_is_in_the_role_matrix() -> None:
    covered = {page.route.split("?")[0] for page in PAGES}

    assert dashboard_routes("get") - OPEN_ROUTES - NOT_PAGES <= covered


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.route)
def test_each_page_renders_for_the_roles_allowed_and_is_403_for_the_others(
    world: TenantWorld,
    objects: dict[str, Any],
    dashboard_client: Callable[[Any], Client],
    page: Page,
    role: str,
) -> None:
    response = dashboard_client(world.users[role]).get(page.url(objects))

    if role_at_least(role, page.min_role):
        assert response.status_code == 200
        html = response.content.decode()
        assert page.shows in html
        assert "Acme Inc" in html  # the tenant switcher names the current tenant
        assert f"{role}@acme.example.com" in html  # the user menu
    else:
        assert response.status_code == 403
        assert "Not allowed" in response.content.decode()


@pytest.mark.parametrize("role", Role.values)
def test_mutating_buttons_show_only_to_roles_that_may_use_them(
    world: TenantWorld, objects: dict[str, Any], dashboard_client: Callable[[Any], Client], role: str
) -> None:
    client = dashboard_client(world.users[role])
    integrations = client.get(reverse("integrations:integration-list")).content.decode()
    detail = client.get(
        reverse("integrations:integration-detail", args=[objects["integration"].pk])
    ).content.decode()
    accounts = client.get(reverse("integrations:account-list")).content.decode()
    members = client.get(reverse("tenants:member-list")).content.decode()

    operates = role_at_least(role, Role.OPERATOR)
    administers = role_at_least(role, Role.ADMIN)
    assert ("New integration" in integrations) is operates
    assert (">Edit</a>" in detail) is operates
    assert (">Tear down</a>" in detail) is operates
    assert ("New provider account" in accounts) is operates
    assert ("Invite a member" in members) is administers
    assert (">Remove</button>" in members) is administers
    assert (">Tokens</a>" in integrations) is administers


def mutating_posts(objects: dict[str, Any], world: TenantWorld) -> dict[str, tuple[str, dict[str, str]]]:
    """Every POST of the dashboard with a well-formed body (that an allowed role could send)."""
    membership = Membership.objects.get(user=world.users[Role.VIEWER], tenant=world.tenant)
    integration, account = objects["integration"], objects["account"]
    return {
        "tenants:token-list": (reverse("tenants:token-list"), {"name": "new", "role": "viewer"}),
        "tenants:token-revoke": (reverse("tenants:token-revoke", args=[objects["token"].pk]), {}),
        "tenants:member-list": (
            reverse("tenants:member-list"),
            {"email": "owner@acme.example.com", "role": "viewer"},
        ),
        "tenants:member-role": (reverse("tenants:member-role", args=[membership.pk]), {"role": "admin"}),
        "tenants:member-remove": (reverse("tenants:member-remove", args=[membership.pk]), {}),
        "tenants:invitation-revoke": (
            reverse("tenants:invitation-revoke", args=[InvitationFactory(tenant=world.tenant).pk]),
            {},
        ),
        "integrations:integration-new": (
            reverse("integrations:integration-new") + "?kind=twilio_synthflow",
            {"name": "more-calls", "policy": "heal", "accounts.twilio": str(account.pk)},
        ),
        "integrations:integration-edit": (
            reverse("integrations:integration-edit", args=[integration.pk]),
            {"policy": "report"},
        ),
        "integrations:integration-delete": (
            reverse("integrations:integration-delete", args=[integration.pk]),
            {},
        ),
        "integrations:integration-plan": (
            reverse("integrations:integration-plan", args=[integration.pk]),
            {},
        ),
        "integrations:integration-apply": (
            reverse("integrations:integration-apply", args=[integration.pk]),
            {},
        ),
        "integrations:integration-reconcile": (
            reverse("integrations:integration-reconcile", args=[integration.pk]),
            {},
        ),
        "integrations:account-new": (
            reverse("integrations:account-new") + "?kind=vapi",
            {"name": "vapi", "settings.region": "us", "secrets.api_key": "k"},
        ),
        "integrations:account-edit": (
            reverse("integrations:account-edit", args=[account.pk]),
            {"name": "renamed"},
        ),
        "integrations:account-delete": (reverse("integrations:account-delete", args=[account.pk]), {}),
        "integrations:account-test-connection": (
            reverse("integrations:account-test-connection", args=[account.pk]),
            {},
        ),
    }


def snapshot(world: TenantWorld) -> dict[str, Any]:
    """What a refused request must leave unchanged."""
    model_rows: list[type[models.Model]] = [Integration, ProviderAccount, ApiToken, Membership, AuditEvent]
    return {
        "rows": {m.__name__: m.objects.for_tenant(world.tenant).count() for m in model_rows},  # type: ignore[attr-defined]
        "integrations": list(Integration.objects.for_tenant(world.tenant).values_list("name", "policy")),
        "accounts": list(ProviderAccount.objects.for_tenant(world.tenant).values_list("name", flat=True)),
        "roles": list(
            Membership.objects.for_tenant(world.tenant).values_list("role", flat=True).order_by("role")
        ),
        "revoked": list(ApiToken.objects.for_tenant(world.tenant).values_list("revoked_at", flat=True)),
    }


def test_every_dashboard_post_is_in_the_refusal_table(world: TenantWorld, objects: dict[str, Any]) -> None:
    assert dashboard_routes("post") - OPEN_ROUTES == set(mutating_posts(objects, world))


@pytest.mark.parametrize(
    ("role", "route_prefix"),
    [
        (Role.VIEWER, ""),  # a viewer may change nothing at all
        (Role.OPERATOR, "tenants:"),  # an operator may not manage tokens or members
    ],
)
def test_roles_below_the_needed_one_get_403_on_post_and_nothing_changes(
    world: TenantWorld,
    objects: dict[str, Any],
    dashboard_client: Callable[[Any], Client],
    role: str,
    route_prefix: str,
) -> None:
    client = dashboard_client(world.users[role])
    before = snapshot(world)
    refused = []

    for route, (url, data) in mutating_posts(objects, world).items():
        if not route.startswith(route_prefix):
            continue
        response = client.post(url, data)
        assert response.status_code == 403, f"{role} POST {route}: {response.status_code}"
        refused.append(route)

    assert snapshot(world) == before
    assert len(refused) >= (11 if role == Role.VIEWER else 5)


def test_anonymous_visitors_are_sent_to_the_login_page(objects: dict[str, Any]) -> None:
    client = Client()
    for page in PAGES:
        url = page.url(objects)
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{LOGIN}?next=")


def test_login_lands_on_the_fleet_overview_and_logout_needs_a_post(
    world: TenantWorld, objects: dict[str, Any]
) -> None:
    client = Client()
    page = client.get(LOGIN)
    assert 'name="password"' in page.content.decode()

    wrong = client.post(LOGIN, {"username": "viewer@acme.example.com", "password": "nope"})
    assert wrong.status_code == 200
    assert "Please enter a correct" in wrong.content.decode()

    response = client.post(
        LOGIN,
        {"username": "viewer@acme.example.com", "password": "correct-horse-battery-staple"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("tenants:home")
    assert "1 integration" in response.content.decode()  # the fleet overview (integrations/views/fleet.py)

    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get(reverse("integrations:integration-list")).status_code == 302


def test_tenant_switcher_lists_the_users_tenants_and_switches(
    world: TenantWorld, other_world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    user = world.users[Role.ADMIN]
    Membership.objects.create(tenant=other_world.tenant, user=user, role=Role.VIEWER)
    IntegrationFactory(tenant=other_world.tenant, name="globex-line")
    client = dashboard_client(user)

    before = client.get(reverse("integrations:integration-list")).content.decode()
    assert "Globex Inc" in before  # offered in the switcher
    assert "globex-line" not in before

    switched = client.post(
        reverse("tenants:switch-tenant"),
        {"tenant": other_world.tenant.slug, "next": reverse("integrations:integration-list")},
        follow=True,
    )
    html = switched.content.decode()
    assert "globex-line" in html
    assert "Now working in Globex Inc as viewer." in html
    assert "New integration" not in html  # a viewer there


def test_switching_to_a_tenant_the_user_is_not_in_is_a_404(
    world: TenantWorld, other_world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    client = dashboard_client(world.users[Role.OWNER])

    response = client.post(reverse("tenants:switch-tenant"), {"tenant": other_world.tenant.slug})

    assert response.status_code == 404
    assert "Acme Inc" in client.get(reverse("integrations:integration-list")).content.decode()


def test_a_user_without_a_tenant_is_told_what_to_do(
    dashboard_client: Callable[[Any], Client], db: Any
) -> None:
    response = dashboard_client(UserFactory(username="lonely@example.com")).get("/", follow=True)

    assert response.status_code == 403
    assert "You are not in any tenant yet" in response.content.decode()
