"""Every error a client can cause under /api/ is a 4xx in the JSON shape `{"detail", "code"[, "errors"]}`:
bad query parameters, bodies too deep or too large, unknown routes; and an unexpected failure is a
JSON 500 that says nothing about what failed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from calls.api.views import SipCallViewSet
from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from testing.world import TenantWorld


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    body = json.loads(response.content)
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str)
    if code is not None:
        assert body["code"] == code
    return body


@pytest.mark.parametrize(
    ("route", "params", "field"),
    [
        ("call-list", {"integration": "not-a-uuid"}, "integration"),
        ("call-list", {"final_status": "abc"}, "final_status"),
        ("call-list", {"final_status": "9" * 30}, "final_status"),
        ("call-list", {"final_status": "-1"}, "final_status"),
        ("call-list", {"source": "nowhere"}, "source"),
        ("call-list", {"call_id": "a\x00b"}, "call_id"),
        ("run-list", {"integration": "not-a-uuid"}, "integration"),
        ("run-list", {"state": "sleeping"}, "state"),
        ("integration-list", {"kind": "telepathy"}, "kind"),
        ("member-list", {"role": "emperor"}, "role"),
        ("integration-probes-list", {"target": "abc"}, "target"),
        ("integration-probes-list", {"target": "9" * 40}, "target"),
    ],
)
def test_a_query_parameter_the_field_cannot_hold_is_a_400_naming_it(
    world: TenantWorld, route: str, params: dict[str, str], field: str
) -> None:
    kwargs = {}
    if route.startswith("integration-probes"):
        kwargs = {"integration_id": IntegrationFactory(tenant=world.tenant).pk}

    response = world.api(Role.OWNER).get(reverse(route, kwargs=kwargs), params)

    body = assert_error(response, 400, "invalid")
    assert field in body["errors"]


def test_good_query_parameters_still_filter(world: TenantWorld) -> None:
    integration = IntegrationFactory(tenant=world.tenant)

    found = world.api(Role.VIEWER).get(
        reverse("run-list"), {"integration": str(integration.pk), "state": "queued"}
    )

    assert found.status_code == 200 and found.json()["count"] == 0


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [40, 5000])
def test_json_nested_too_deep_is_a_400(world: TenantWorld, depth: int) -> None:
    body = '{"name": "x", "kind": "vapi", "settings": ' + nested(depth) + "}"

    response = world.api(Role.OWNER).post(reverse("account-list"), body, content_type="application/json")

    assert "nested deeper than 32 levels" in assert_error(response, 400, "parse_error")["detail"]


def test_a_json_body_over_the_cap_is_a_413(world: TenantWorld, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"name": "x" * 20_000, "kind": "vapi"})

    response = world.api(Role.OWNER).post(reverse("account-list"), body, content_type="application/json")

    assert_error(response, 413, "request_too_large")


def test_a_form_body_over_the_cap_is_a_413(world: TenantWorld, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = world.api(Role.OWNER).post(
        reverse("account-list"), "name=" + "x" * 20_000, content_type="application/x-www-form-urlencoded"
    )

    assert_error(response, 413, "request_too_large")


@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing/", "/api/v1/integrations/not-a-uuid/calls/", "/api/v1/calls/not-a-uuid/"]
)
def test_unknown_api_routes_are_a_json_404(world: TenantWorld, path: str) -> None:
    response = world.api(Role.OWNER).get(path)

    assert json.loads(response.content) == {"detail": "Not found.", "code": "not_found"}
    assert response.status_code == 404


def test_pages_outside_the_api_keep_the_html_404(world: TenantWorld) -> None:
    client = Client()
    client.force_login(world.users[Role.OWNER])

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_unexpected_failure_is_a_json_500_that_says_nothing(
    world: TenantWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(SipCallViewSet, "list", broken)  # the failure nobody foresaw
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.key(Role.OWNER)}")

    response = client.get(reverse("call-list"))

    assert json.loads(response.content) == {"detail": "A server error occurred.", "code": "server_error"}
    assert response.status_code == 500
    assert b"secret" not in response.content
