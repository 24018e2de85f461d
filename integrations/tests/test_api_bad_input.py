"""Bad input: every writable field of every POST/PUT/PATCH of the API, given a bad value, is a 400
naming that field, and nothing is saved.

The table is checked against the code: it must cover every write route of these viewsets and every
writable field of the serializer each one reads, so a new field without a bad-input case fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from rest_framework import serializers

from integrations.api.declaration_serializers import DeclarationSerializer
from integrations.api.serializers import IntegrationSerializer, ProviderAccountSerializer
from integrations.api.views import IntegrationViewSet, ProviderAccountViewSet
from integrations.models import Integration, ProviderAccount
from integrations.tests.factories import (
    VALID_CONFIG,
    VALID_SETTINGS,
    IntegrationFactory,
    ProviderAccountFactory,
)
from tenants.api.serializers import (
    ApiTokenCreateSerializer,
    MembershipCreateSerializer,
    MembershipUpdateSerializer,
)
from tenants.api.views import ApiTokenViewSet, AuditEventViewSet, MembershipViewSet
from tenants.choices import Role
from tenants.models import ApiToken, AuditEvent, IdempotencyRecord, Membership
from tenants.tests.factories import UserFactory
from tenants.tests.routes import walk_routes
from testing.world import TenantWorld

VIEWSETS = (ProviderAccountViewSet, IntegrationViewSet, ApiTokenViewSet, MembershipViewSet, AuditEventViewSet)
MISSING = object()  # "leave the field out"


@dataclass
class Ctx:
    """What the bodies refer to: the tenant's objects, and another tenant's."""

    world: TenantWorld
    vapi: ProviderAccount
    aws: ProviderAccount
    integration: Integration
    member: Membership
    foreign_aws: ProviderAccount

    def integration_body(self) -> dict[str, Any]:
        return {
            "name": "new-one",
            "kind": "connect_vapi",
            "accounts": {"aws": str(self.aws.pk), "vapi": str(self.vapi.pk)},
            "config": VALID_CONFIG["connect_vapi"],
            "policy": "heal",
        }


Value = Any | Callable[[Ctx], Any]


@dataclass
class Endpoint:
    """One write of the API: route, method, the serializer whose fields it takes, and bad values per field."""

    route: str
    method: str
    serializer: type[serializers.Serializer]
    body: Callable[[Ctx], dict[str, Any]]
    invalid: dict[str, list[Value]]
    role: str = Role.OPERATOR
    #: the error path a field of this body is named by (declare names each declaration first)
    path: Callable[[dict[str, Any], str], str] = lambda body, field: field

    def url(self, ctx: Ctx) -> str:
        if self.route.endswith(("-list", "-declare")):
            return reverse(self.route)
        target = {"account": ctx.vapi, "integration": ctx.integration, "member": ctx.member}[self.route[:-7]]
        return reverse(self.route, kwargs={"pk": target.pk})


ACCOUNT_BODY = {
    "name": "vapi two",
    "kind": "vapi",
    "settings": {"region": "eu"},
    "secrets": {"api_key": "k2"},
}
ACCOUNT_NAME = ["", "x" * 101, lambda c: c.aws.name]
INTEGRATION_NAME = ["Has-Caps", "-leading", "x" * 41, "under_score", lambda c: c.integration.name]
BAD_ACCOUNTS: list[Value] = [
    "aws",
    ["aws"],
    lambda c: {"aws": str(c.aws.pk)},
    lambda c: {"aws": "not-an-id", "vapi": str(c.vapi.pk)},
    lambda c: {"aws": str(c.vapi.pk), "vapi": str(c.vapi.pk)},
    lambda c: {"aws": str(c.foreign_aws.pk), "vapi": str(c.vapi.pk)},
    lambda c: {"aws": str(c.aws.pk), "vapi": str(c.vapi.pk), "oracle": "x"},
]
BAD_CONFIG: list[Value] = [
    "config",
    {},
    {**VALID_CONFIG["connect_vapi"], "area_code": "12"},
    {**VALID_CONFIG["connect_vapi"], "bogus": 1},
]


def _declared_path(body: dict[str, Any], field: str) -> str:
    """`<name>.<field>`: a declaration is named by its name, or by its position when it has none."""
    name = body.get("name")
    return f"{name if isinstance(name, str) and name and '.' not in name else 0}.{field}"


ENDPOINTS = [
    Endpoint(
        "account-list",
        "POST",
        ProviderAccountSerializer,
        lambda c: dict(ACCOUNT_BODY),
        {
            "name": [*ACCOUNT_NAME, MISSING],
            "kind": ["oracle", "", MISSING],
            "settings": ["eu", ["eu"], {"region": "mars"}, {"region": "eu", "extra": 1}, MISSING],
            "secrets": [{"api_key": ""}, {"api_key": 7}, {"api_key": "k", "token": "x"}, ["k"], MISSING],
        },
    ),
    Endpoint(
        "account-detail",
        "PUT",
        ProviderAccountSerializer,
        lambda c: {"name": c.vapi.name, "kind": "vapi", "settings": {"region": "us"}},
        {
            "name": [*ACCOUNT_NAME, MISSING],
            "kind": ["synthflow", "oracle", MISSING],
            "settings": [{"region": "mars"}, "us", MISSING],
            "secrets": [{"api_key": ""}, {"client_secret": "x"}, "k"],
        },
    ),
    Endpoint(
        "account-detail",
        "PATCH",
        ProviderAccountSerializer,
        lambda c: {},
        {
            "name": ACCOUNT_NAME,
            "kind": ["twilio", "oracle"],
            "settings": [{"region": "mars"}, {"bogus": 1}, []],
            "secrets": [{"api_key": " "}, {"auth_token": "x"}, 5],
        },
    ),
    Endpoint(
        "integration-list",
        "POST",
        IntegrationSerializer,
        Ctx.integration_body,
        {
            "name": [*INTEGRATION_NAME, MISSING],
            "kind": ["asterisk", "", MISSING],
            "accounts": [*BAD_ACCOUNTS, MISSING],
            "config": [*BAD_CONFIG, MISSING],
            "policy": ["ignore", ""],
        },
    ),
    Endpoint(
        "integration-detail",
        "PUT",
        IntegrationSerializer,
        lambda c: {**c.integration_body(), "name": c.integration.name},
        {
            "name": ["renamed", "Bad Name", MISSING],
            "kind": ["connect_synthflow", "asterisk", MISSING],
            "accounts": [*BAD_ACCOUNTS, MISSING],
            "config": [*BAD_CONFIG, MISSING],
            "policy": ["ignore"],
        },
    ),
    Endpoint(
        "integration-detail",
        "PATCH",
        IntegrationSerializer,
        lambda c: {},
        {
            "name": ["renamed"],
            "kind": ["twilio_synthflow"],
            "accounts": BAD_ACCOUNTS,
            "config": ["config", {"area_code": "12"}, {"bogus": 1}, {"connect_instance_id": None}],
            "policy": ["ignore", None],
        },
    ),
    Endpoint(
        "integration-declare",
        "POST",
        DeclarationSerializer,
        lambda c: {
            **c.integration_body(),
            "accounts": {"aws": c.aws.name, "vapi": c.vapi.name},
        },
        {
            "name": ["", "Has-Caps", "x" * 41, "under_score", 7, MISSING],
            "kind": ["asterisk", "", lambda c: c.integration.kind.upper(), MISSING],
            "accounts": [
                "aws",
                ["aws one"],
                lambda c: {"aws": c.aws.name},
                lambda c: {"aws": "nobody", "vapi": c.vapi.name},
                lambda c: {"aws": c.vapi.name, "vapi": c.vapi.name},
                lambda c: {"aws": c.foreign_aws.name, "vapi": c.vapi.name},
                lambda c: {"aws": c.aws.name, "vapi": c.vapi.name, "oracle": "x"},
                lambda c: {"aws": str(c.aws.pk), "vapi": str(c.vapi.pk)},  # ids are not names
                MISSING,
            ],
            "config": [*BAD_CONFIG, MISSING],
            "policy": ["ignore", "", None],
        },
        path=_declared_path,
    ),
    Endpoint(
        "token-list",
        "POST",
        ApiTokenCreateSerializer,
        lambda c: {"name": "automation", "role": "viewer"},
        {
            "name": ["", "x" * 101, MISSING],
            "role": ["god", "", MISSING],
            "expires_at": ["next week", "2001-01-01T00:00:00Z", 12],
        },
        role=Role.OWNER,
    ),
    Endpoint(
        "member-list",
        "POST",
        MembershipCreateSerializer,
        lambda c: {"email": "newcomer@example.com", "role": "viewer"},
        {
            # An address with no login is a valid invitation (issue 13, item 8); a member is not.
            "email": ["not-an-email", lambda c: c.member.user.email, MISSING],
            "role": ["king", "", MISSING],
        },
        role=Role.OWNER,
    ),
    Endpoint(
        "member-detail",
        "PUT",
        MembershipUpdateSerializer,
        lambda c: {"role": "operator"},
        {"role": ["king", "", None, MISSING]},
        role=Role.OWNER,
    ),
    Endpoint(
        "member-detail",
        "PATCH",
        MembershipUpdateSerializer,
        lambda c: {"role": "operator"},
        {"role": ["king", "", MISSING]},
        role=Role.OWNER,
    ),
]


#: write routes that take no body at all (engine actions, diagnostics run, connection test): nothing to
#: make invalid
BODYLESS = {
    ("integration-plan", "POST"),
    ("integration-apply", "POST"),
    ("integration-reconcile", "POST"),
    ("integration-teardown", "POST"),
    ("integration-diagnostics", "POST"),
    ("account-test-connection", "POST"),
}


def _writable(serializer: type[serializers.Serializer]) -> set[str]:
    return {name for name, field in serializer().fields.items() if not field.read_only}


def test_the_table_covers_every_write_route_and_every_writable_field() -> None:
    routes: set[tuple[str, str]] = set()
    for route in walk_routes():
        view = getattr(route.callback, "cls", None)
        if view in VIEWSETS and not route.is_format_variant:
            allowed = {m.upper() for m in view.http_method_names}
            methods = {m.upper() for m in route.callback.actions} & allowed & {"POST", "PUT", "PATCH"}
            routes |= {(route.name, method) for method in methods}

    assert {(e.route, e.method) for e in ENDPOINTS} | BODYLESS == routes
    for endpoint in ENDPOINTS:
        assert set(endpoint.invalid) == _writable(endpoint.serializer), (endpoint.route, endpoint.method)


CASES = [
    pytest.param(endpoint, field, value, id=f"{endpoint.method}-{endpoint.route}-{field}-{index}")
    for endpoint in ENDPOINTS
    for field, values in endpoint.invalid.items()
    for index, value in enumerate(values)
]


@pytest.fixture
def ctx(world: TenantWorld, other_world: TenantWorld) -> Ctx:
    UserFactory(username="newcomer@example.com")  # the person the valid POST invites
    return Ctx(
        world=world,
        vapi=ProviderAccountFactory(tenant=world.tenant, kind="vapi", name="vapi one"),
        aws=ProviderAccountFactory(tenant=world.tenant, kind="aws", name="aws one"),
        integration=IntegrationFactory(tenant=world.tenant, kind="connect_vapi", name="existing"),
        member=Membership.objects.get(tenant=world.tenant, user=world.users[Role.VIEWER]),
        foreign_aws=ProviderAccountFactory(
            tenant=other_world.tenant, kind="aws", settings=VALID_SETTINGS["aws"]
        ),
    )


def _state() -> list[Any]:
    """Every stored row (a token's last-used time aside: using a token is not a change)."""
    return [
        sorted(str({k: v for k, v in row.items() if k != "last_used_at"}) for row in model.objects.values())
        for model in (ProviderAccount, Integration, ApiToken, Membership, AuditEvent, IdempotencyRecord)
    ]


@pytest.mark.parametrize(("endpoint", "field", "value"), CASES)
def test_a_bad_value_is_a_400_naming_the_field_and_nothing_is_saved(
    ctx: Ctx, endpoint: Endpoint, field: str, value: Value
) -> None:
    body = endpoint.body(ctx)
    if value is MISSING:
        body.pop(field, None)
    else:
        body[field] = value(ctx) if callable(value) else value
    before = _state()

    response = getattr(ctx.world.api(endpoint.role), endpoint.method.lower())(
        endpoint.url(ctx), body, format="json"
    )

    assert response.status_code == 400, (response.status_code, response.json())
    payload = response.json()
    assert payload["code"] == "invalid"
    field = endpoint.path(body, field)
    named = [path for path in payload["errors"] if path == field or path.startswith(f"{field}.")]
    assert named, f"errors {payload['errors']} do not name {field!r}"
    assert isinstance(payload["detail"], str)
    assert payload["detail"]
    assert _state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method}-{e.route}")
def test_the_valid_body_of_each_row_is_accepted(ctx: Ctx, endpoint: Endpoint) -> None:
    send = getattr(ctx.world.api(endpoint.role), endpoint.method.lower())

    response = send(endpoint.url(ctx), endpoint.body(ctx), format="json")

    assert response.status_code in (200, 201, 202), response.json()  # 202: an invitation sent
