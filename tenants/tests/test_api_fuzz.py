"""Schemathesis against /api/schema/, with an owner's token, through the WSGI app: every operation of the
API gets generated requests, valid and invalid, and none may answer a 5xx or a body that breaks the
schema of a documented answer. The safety net for "every error a client can cause is a 4xx".

Bounded and deterministic: `EXAMPLES_PER_OPERATION` examples per operation, derandomized (the same
inputs on every run), so it costs about a minute in `make test`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from calls.tests.factories import SipCallFactory, SipMessageFactory, SipTraceFactory
from controlplane.wsgi import application
from integrations.models import Run
from integrations.models.engine import RunKind
from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from tenants.tests.factories import AuditEventFactory
from tenants.tests.fixtures import TenantWorld

#: Generated requests per API operation: enough to try each parameter with bad types, sizes and
#: characters, few enough to keep the 45 operations around a minute.
EXAMPLES_PER_OPERATION = 12
#: Checks that need a fully truthful schema (every 4xx documented, every constraint declared): the
#: schema does not say all of that yet, so these would fail on the schema, not on the API.
NOT_YET = [
    status_code_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    content_type_conformance,
]
#: Operations whose documented 200 body the schema still gets wrong (left for the schema work of
#: issue 17): their answers are checked for 5xx only. Everything else must match its schema.
SCHEMA_GAPS = {
    "/api/v1/accounts/": "trust_policy may be null; the schema says object",
    "/api/v1/accounts/{id}/": "trust_policy may be null; the schema says object",
    "/api/v1/integrations/": "latest_run may be null; the schema says object",
    "/api/v1/integrations/{id}/": "latest_run may be null; the schema says object",
    "/api/v1/integrations/{id}/resources/": "answers a list; the schema says a page",
}


def served_schema() -> dict[str, Any]:
    """The document /api/schema/ serves: drf-spectacular's generator, rendered as JSON (the schema is
    built at collection, before a test database exists to hold a token; the test below checks that
    the view serves the same document)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(served_schema())
schema.app = application


@dataclass
class Fuzzed:
    """The tenant the requests act in, and an object of each collection for path parameters to name."""

    world: TenantWorld
    ids: dict[str, str]
    calls: int = 0


@pytest.fixture
def fuzzed(transactional_db: Any) -> Fuzzed:
    """A tenant with a token per role and one object in each collection. Requests go through the real
    WSGI app (its own transactions), so rows are committed and flushed after each operation."""
    world = TenantWorld.build("fuzz")
    integration = IntegrationFactory(tenant=world.tenant, kind="connect_vapi")
    call = SipMessageFactory(call=SipCallFactory(tenant=world.tenant, integration=integration)).call
    trace = SipTraceFactory(tenant=world.tenant)
    run = Run.objects.create(
        tenant=world.tenant, integration=integration, integration_name=integration.name, kind=RunKind.PLAN
    )
    viewer = world.users[Role.VIEWER]
    ids = {
        "accounts": integration.aws_account.pk,
        "integrations": integration.pk,
        "calls": call.pk,
        "traces": trace.pk,
        "runs": run.pk,
        "members": world.tenant.memberships.get(user=viewer).pk,
        "tokens": world.tokens[Role.VIEWER].pk,
        "audit": AuditEventFactory(tenant=world.tenant).pk,
    }
    return Fuzzed(world=world, ids={name: str(pk) for name, pk in ids.items()})


def name_existing_objects(case: Any, fuzzed: Fuzzed) -> None:
    """Every other request names an object that exists (`accounts/{id}/` → the tenant's account), so
    the handlers behind a found object are fuzzed too, not only the 404 of a random id."""
    fuzzed.calls += 1
    if not case.path_parameters or fuzzed.calls % 2:
        return
    collection = case.path.removeprefix("/api/v1/").split("/", 1)[0]
    for name in case.path_parameters:
        if name in ("id", "integration_id") and collection in fuzzed.ids:
            case.path_parameters[name] = fuzzed.ids[
                "integrations" if name == "integration_id" else collection
            ]


def test_the_fuzzed_schema_is_the_one_served(world: TenantWorld) -> None:
    served = world.api(Role.VIEWER).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert served.status_code == 200
    assert json.loads(served.content) == served_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_request_gets_a_server_error(case: Any, fuzzed: Fuzzed) -> None:
    name_existing_objects(case, fuzzed)
    excluded = NOT_YET + ([response_schema_conformance] if case.path in SCHEMA_GAPS else [])
    case.call_and_validate(
        headers={"Authorization": f"Token {fuzzed.world.key(Role.OWNER)}"}, excluded_checks=excluded
    )
