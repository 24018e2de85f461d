"""Schemathesis against /api/schema/, with an owner's token, through the WSGI app: every operation of the
API gets generated requests, valid and invalid, and none may answer a 5xx, a status the schema does not
list, or a body that breaks the schema of its answer. A body the schema calls valid must be accepted,
unless it fails a check no schema can say (`UNEXPRESSIBLE`: an id that does not exist, a name taken, a
phone number outside its country's plan), which answers 400 saying so. The safety net for "every error a
client can cause is a 4xx", and the proof that a client generated from the schema can build a request.

Bounded and deterministic: `EXAMPLES_PER_OPERATION` examples per operation, derandomized (the same
inputs on every run), so it costs about a minute in `make test`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
)

from calls.tests.factories import SipCallFactory, SipMessageFactory, SipTraceFactory
from controlplane.wsgi import application
from integrations.choices import AccountKind
from integrations.models import Run
from integrations.models.engine import RunKind
from integrations.tests.factories import IntegrationFactory, ProviderAccountFactory
from tenants.choices import Role
from tenants.tests.api_schema import served_schema
from tenants.tests.factories import AuditEventFactory
from testing.world import TenantWorld

#: Generated requests per API operation: enough to try each parameter with bad types, sizes and
#: characters, few enough to keep the 45 operations around a minute.
EXAMPLES_PER_OPERATION = 12
#: Checks left out, each for its reason:
#: - negative_data_rejection: the API takes more than the schema promises (a phone number with spaces,
#:   a PATCH without `kind`), so some "invalid" bodies are rightly accepted;
#: - response_headers_conformance: the schema does not describe response headers (Retry-After, ...);
#: - content_type_conformance: file downloads answer their own types;
#: - positive_data_acceptance: replaced by `schema_valid_is_accepted` (the same, with UNEXPRESSIBLE);
#: - not_a_server_error: replaced by `no_server_error` (the same, but a vendor that is down is a 503).
LEFT_OUT = [
    negative_data_rejection,
    response_headers_conformance,
    content_type_conformance,
    positive_data_acceptance,
    not_a_server_error,
]
#: Messages of the checks a schema cannot express: a schema-valid body may fail these, with a 400
#: that says which. Anything else refused is a gap in the schema (or a bug).
UNEXPRESSIBLE = [
    re.compile(pattern)
    for pattern in (
        r"^No [\w ]+ account with id ",  # an id that is not one of this tenant's accounts
        r"^No provider account named ",  # a declaration's account name that is not one of them
        r"^Declare at least one integration",  # an empty declaration is refused only with ?prune
        r"already exists\.$",  # a name taken in the tenant
        r"cannot be changed",  # an object's name or kind, fixed once created
        r"^Enter a valid phone number",  # E.164-shaped but not in its country's numbering plan
        r"is listed twice",  # repeats after normalising (case, number formats)
        r"is reserved by Amazon",  # x-amzn... headers
        r"^(Variable|Header) name .* must match",  # map keys: OpenAPI 3.0 has no pattern for keys
        r"^Twilio does not allow headers starting X-Twilio",
        r"^Custom variables travel through prepare_inbound",  # one field depends on another
        r"^Give (either )?area_code",  # connect_synthflow: area_code or phone_number, not both
        r"^Must be in the future\.$",  # a token's expiry, against the clock
        r"lists choices for: ",  # which fields an account lists depends on its kind
        r"^The end of the time range is before its start",  # one parameter against another
        r"the choices depend on it\.$",  # a query parameter needed by another's value
    )
]


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
    accounts = {
        kind: ProviderAccountFactory(tenant=world.tenant, kind=kind).pk
        for kind in AccountKind.values
        if kind not in ("aws", "vapi")
    }
    accounts.update({"aws": integration.aws_account.pk, "vapi": integration.vapi_account.pk})
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
        **{f"account:{kind}": pk for kind, pk in accounts.items()},
    }
    return Fuzzed(world=world, ids={name: str(pk) for name, pk in ids.items()})


def name_existing_objects(case: Any, fuzzed: Fuzzed) -> None:
    """Every other request names objects that exist (`accounts/{id}/` → the tenant's account of the
    body's kind, an integration's `accounts` → the tenant's accounts), so the handlers behind a found
    object are fuzzed too, not only the 404 of a random id."""
    fuzzed.calls += 1
    if fuzzed.calls % 2:
        return
    collection = case.path.removeprefix("/api/v1/").split("/", 1)[0]
    body = case.body if isinstance(case.body, dict) else {}
    for name in case.path_parameters or {}:
        if name in ("id", "integration_id") and collection in fuzzed.ids:
            key = "integrations" if name == "integration_id" else collection
            if collection == "accounts" and f"account:{body.get('kind')}" in fuzzed.ids:
                key = f"account:{body['kind']}"
            case.path_parameters[name] = fuzzed.ids[key]
    if collection == "integrations" and isinstance(body.get("accounts"), dict):
        for kind in body["accounts"]:
            body["accounts"][kind] = fuzzed.ids.get(f"account:{kind}", body["accounts"][kind])


#: 5xx answers the schema documents, for a vendor that cannot be reached (the fuzz reaches none)
VENDOR_DOWN = {"vendor_unavailable", "call_log_unavailable"}


def no_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """not_a_server_error, except for the documented 502/503 of a vendor that cannot be reached."""
    if response.status_code in (502, 503) and response.json().get("code") in VENDOR_DOWN:
        return None
    return not_a_server_error(ctx, response, case)


def schema_valid_is_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """positive_data_acceptance, except that a 400 whose every message is a check of UNEXPRESSIBLE
    passes: the schema promised the shape, not that the account exists."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return positive_data_acceptance(ctx, response, case)
    body = response.json()
    if case.path == "/api/v1/traces/" and body["code"] != "invalid":
        return None  # refused for what the file holds (no SIP in it, past a cap): no schema says that
    messages = [m for found in body.get("errors", {}).values() for m in found] or [body["detail"]]
    unexpected = [m for m in messages if not any(p.search(m) for p in UNEXPRESSIBLE)]
    if not unexpected:
        return None
    raise Failure(
        operation=case.operation.label,
        title="A schema-valid body was refused",
        message=json.dumps(unexpected, indent=1)[:2000],
    )


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
    case.call_and_validate(
        headers={"Authorization": f"Token {fuzzed.world.key(Role.OWNER)}"},
        excluded_checks=LEFT_OUT,
        additional_checks=[no_server_error, schema_valid_is_accepted],
    )
