"""Tenant isolation over every route of the project (tenants/tests/routes.py explains the walk)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models
from django.test import Client

from tenants.choices import Role
from tenants.tests.routes import NON_TENANT_ROUTES, TENANT_OBJECT_FACTORIES, Route, factory_for, walk_routes
from testing.world import TenantWorld

#: text in the names of tenant A's objects; it must never reach tenant B
MARK_A = "alphamark"
MARK_B = "bravomark"


def _clients(world: TenantWorld, route: Route) -> dict[str, Client]:
    clients: dict[str, Client] = {"session": world.api(Role.OWNER, via="session")}
    if route.is_api:
        clients["token"] = world.api(Role.OWNER, via="token")
    return clients


def _request(client: Client, method: str, url: str) -> Any:
    send = getattr(client, method.lower())
    if method in {"POST", "PUT", "PATCH"}:
        return send(url, {}, format="json")
    return send(url)


def _body(response: Any) -> str:
    content = getattr(response, "content", b"")
    if not content and hasattr(response, "streaming_content"):
        content = b"".join(response.streaming_content)
    return content.decode(errors="replace").lower()


def _still_there(obj: models.Model) -> bool:
    return type(obj)._default_manager.filter(pk=obj.pk).exists()


def test_other_tenant_gets_404_on_every_route(db: Any) -> None:
    alpha = TenantWorld.build("alpha")
    bravo = TenantWorld.build("bravo")
    routes = [r for r in walk_routes() if not r.is_format_variant and r.name not in NON_TENANT_ROUTES]
    objects_of_a: dict[type[models.Model], models.Model] = {}
    for route in routes:
        model = route.model()
        if route.object_kwargs:
            assert model is not None, (
                f"Route {route.name} ({route.pattern}) takes {route.object_kwargs} but its view names no "
                "model; give it `model`/`queryset`, or list it in NON_TENANT_ROUTES with the reason."
            )
        if model is not None and model not in objects_of_a:
            factory = factory_for(model, route)
            objects_of_a[model] = factory(alpha.tenant, MARK_A)
            factory(bravo.tenant, MARK_B)  # so that B's lists are not trivially empty
    for factory in TENANT_OBJECT_FACTORIES.values():  # every kind of row of A exists, routes or not
        factory(alpha.tenant, MARK_A)

    checked_objects = checked_lists = 0
    for route in routes:
        if route.object_kwargs:
            obj = objects_of_a[route.model()]  # type: ignore[index]
            url = route.url(obj)
            for via, client in _clients(bravo, route).items():
                for method in route.methods():
                    response = _request(client, method, url)
                    if response.status_code == 405:
                        continue  # the view does not take this method at all
                    assert response.status_code == 404, (
                        f"{method} {url} ({route.name}) as tenant B via {via}: "
                        f"{response.status_code}, expected 404"
                    )
                    assert MARK_A not in _body(response), f"{method} {url} via {via} shows tenant A's data"
                    checked_objects += 1
            assert _still_there(obj), f"{route.name}: tenant B's requests removed tenant A's object"
        else:
            url = route.url()
            for via, client in _clients(bravo, route).items():
                response = _request(client, "GET", url)
                assert response.status_code < 500, f"GET {url} via {via}: {response.status_code}"
                body = _body(response)
                assert MARK_A not in body, f"GET {url} ({route.name}) as tenant B via {via} shows A's rows"
                if route.is_api and route.name and route.name.endswith("-list"):
                    assert response.status_code == 200, f"GET {url} via {via}: {response.status_code}"
                    assert MARK_B in body, (
                        f"GET {url}: B's own rows missing, so the check above proves nothing"
                    )
                checked_lists += 1
    # The walk really covered the API: every collection and its detail routes.
    assert checked_objects >= 5 * 2 * 2, checked_objects
    assert checked_lists >= 5 * 2, checked_lists


@pytest.mark.parametrize("model", list(TENANT_OBJECT_FACTORIES))
def test_factories_make_objects_of_the_given_tenant(db: Any, model: type[models.Model]) -> None:
    tenant = TenantWorld.build("gamma").tenant
    obj = TENANT_OBJECT_FACTORIES[model](tenant, MARK_A)

    assert isinstance(obj, model)
    assert (obj if isinstance(obj, type(tenant)) else obj.tenant) == tenant  # type: ignore[attr-defined]
