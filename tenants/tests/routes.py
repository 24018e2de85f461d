"""The route walk behind the isolation test, and the per-model factories it needs.

How new routes are covered (read this when you add a URL):

* `walk_routes()` visits every URL pattern of the project (`get_resolver()`,
  recursively: API, dashboard, docs, webhooks). Each `Route` knows its name,
  its URL kwargs, the HTTP methods its view accepts, and the model the view
  serves (`queryset.model` or `model` of a DRF or class-based view).
* A route with URL kwargs is an object route: the test creates an object of
  tenant A with `TENANT_OBJECT_FACTORIES[model]`, fills the kwargs from it
  (`pk`/`id` → the primary key, any other kwarg → the attribute of that name,
  e.g. `public_id`, `slug`) and requests it as tenant B. A model without a
  factory fails the test ("add a factory for X"): add one below.
* URL kwargs that are not object ids (a kind chosen on a "new" page) get a
  value in `FIXED_KWARGS`; a route whose kwargs are all fixed is a page
  without an object.
* Routes that are not reached through a tenant membership at all (vendor
  webhooks with their own signature check, password-reset links) go in
  `NON_TENANT_ROUTES` with the reason.
* Every route must have a name (the walk reverses names to build URLs).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alerts.models import AlertDestination
from calls.models import ProbeRequest, ProbeResult, SipCall, SipTarget, SipTrace
from calls.tests.factories import (
    ProbeRequestFactory,
    ProbeResultFactory,
    SipCallFactory,
    SipTargetFactory,
    SipTraceFactory,
)
from integrations.models import Integration, ProviderAccount
from integrations.models.engine import Run, RunKind, RunState
from integrations.tests.factories import IntegrationFactory, ProviderAccountFactory
from tenants.models import ApiToken, AuditEvent, Invitation, Membership, Tenant
from tenants.tests.factories import (
    ApiTokenFactory,
    AuditEventFactory,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
)

#: route name → why it is not scoped by tenant membership (and so not part of the isolation test)
NON_TENANT_ROUTES: dict[str, str] = {
    "readyz": "an orchestrator's readiness check, tenant-free; 503 by design while beat or a worker is down",
    "password_reset_confirm": "reached through an emailed one-time link, not a tenant membership",
    "tenants:invitation-accept": "reached through an emailed single-use invitation link, not a membership",
    "twilio-voice-webhook": "called by Twilio and authenticated by X-Twilio-Signature, not by a member",
    "twilio-status-webhook": "called by Twilio and authenticated by X-Twilio-Signature, not by a member",
    "twilio-refer-webhook": "called by Twilio and authenticated by X-Twilio-Signature, not by a member",
    "twilio-warm-transfer-webhook": (
        "called by Twilio and authenticated by X-Twilio-Signature, not by a member"
    ),
}

#: route name → values of URL kwargs that choose something other than an object
FIXED_KWARGS: dict[str, dict[str, str]] = {
    "integrations:integration-create": {"kind": "connect_vapi"},
    "integrations:account-create": {"kind": "aws"},
}

#: URL kwargs that select a response format, not an object (DRF's `.json` suffix routes)
FORMAT_KWARGS = frozenset({"format"})

ObjectFactory = Callable[[Tenant, str], models.Model]
_next = itertools.count(1).__next__  # keeps names unique per tenant when a factory runs twice


#: model → `factory(tenant, marker)` creating an object of `tenant` whose display text contains `marker`
def _run(tenant: Tenant, marker: str) -> Run:
    integration = IntegrationFactory(tenant=tenant, name=f"{marker}-integration-{_next()}")
    return Run.objects.create(
        tenant=tenant,
        integration=integration,
        integration_name=integration.name,
        kind=RunKind.APPLY,
        state=RunState.SUCCEEDED,
        message=f"{marker} run",
    )


TENANT_OBJECT_FACTORIES: dict[type[models.Model], ObjectFactory] = {
    Tenant: lambda tenant, marker: tenant,
    AlertDestination: lambda tenant, marker: AlertDestination.objects.create(
        tenant=tenant, name=f"{marker} destination {_next()}", kind="email", target=f"{marker}@example.com"
    ),
    Membership: lambda tenant, marker: MembershipFactory(tenant=tenant, user=UserFactory(first_name=marker)),
    ApiToken: lambda tenant, marker: ApiTokenFactory(tenant=tenant, name=f"{marker} token {_next()}"),
    AuditEvent: lambda tenant, marker: AuditEventFactory(tenant=tenant, object_repr=f"{marker} object"),
    Invitation: lambda tenant, marker: InvitationFactory(
        tenant=tenant, email=f"{marker}-{_next()}@example.com"
    ),
    ProviderAccount: lambda tenant, marker: ProviderAccountFactory(
        tenant=tenant, name=f"{marker} account {_next()}"
    ),
    Integration: lambda tenant, marker: IntegrationFactory(
        tenant=tenant, name=f"{marker}-integration-{_next()}"
    ),
    Run: lambda tenant, marker: _run(tenant, marker),
    SipCall: lambda tenant, marker: SipCallFactory(
        tenant=tenant, call_id=f"{marker}-call-{_next()}@192.0.2.10"
    ),
    SipTrace: lambda tenant, marker: SipTraceFactory(
        tenant=tenant, filename=f"{marker}-trace-{_next()}.pcap"
    ),
    SipTarget: lambda tenant, marker: SipTargetFactory(tenant=tenant, host=f"{marker}-{_next()}.sip.vapi.ai"),
    ProbeResult: lambda tenant, marker: ProbeResultFactory(
        target=SipTargetFactory(tenant=tenant, host=f"{marker}-{_next()}.sip.vapi.ai"), server=f"{marker} sbc"
    ),
    ProbeRequest: lambda tenant, marker: ProbeRequestFactory(
        tenant=tenant, requested_by=f"{marker} operator"
    ),
}


@dataclass(frozen=True)
class Route:
    """One URL pattern of the project, as the isolation test sees it."""

    pattern: str
    name: str | None
    callback: Callable[..., Any]
    kwargs: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        """Under /api/ (reached by token as well as by session)."""
        return self.pattern.lstrip("^").startswith("api/")

    @property
    def object_kwargs(self) -> tuple[str, ...]:
        """The kwargs that pick an object (not a response format, not a fixed choice)."""
        fixed = FIXED_KWARGS.get(self.name or "", {})
        return tuple(name for name in self.kwargs if name not in FORMAT_KWARGS and name not in fixed)

    @property
    def is_format_variant(self) -> bool:
        """A DRF `.json`-suffix copy of another route (same view)."""
        return any(name in FORMAT_KWARGS for name in self.kwargs)

    def view_class(self) -> type | None:
        """The DRF or Django class behind the view function, if any."""
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    def model(self) -> type[models.Model] | None:
        """The model the view serves (`queryset.model`, else `model`)."""
        cls = self.view_class()
        queryset = getattr(cls, "queryset", None)
        if queryset is not None:
            return queryset.model
        return getattr(cls, "model", None)

    def methods(self) -> list[str]:
        """HTTP methods to try: those the view routes, else GET and POST (a 405 then means "not this")."""
        actions = getattr(self.callback, "actions", None)
        if actions:
            return sorted(method.upper() for method in actions)
        cls = self.view_class()
        if cls is not None:
            names = [m for m in getattr(cls, "http_method_names", []) if hasattr(cls, m)]
            return sorted(m.upper() for m in names if m not in {"head", "options", "trace"})
        return ["GET", "POST"]

    def url(self, obj: models.Model | None = None) -> str:
        """The path of this route, with kwargs taken from `obj`."""
        if self.name is None:
            raise AssertionError(
                f"Route {self.pattern!r} has no name; name it so the route walk can reach it."
            )
        values = {name: kwarg_value(self, obj, name) for name in self.object_kwargs}
        values.update(FIXED_KWARGS.get(self.name, {}))
        return reverse(self.name, kwargs=values)


def kwarg_value(route: Route, obj: models.Model | None, name: str) -> Any:
    """The value of URL kwarg `name` for `obj`: its pk for `pk`/`id`, else its attribute `name`."""
    if obj is None:
        raise AssertionError(f"Route {route.name} needs an object for {name!r}.")
    if name in {"pk", "id"}:
        return obj.pk
    if hasattr(obj, name):
        return getattr(obj, name)
    raise AssertionError(
        f"Route {route.name}: cannot fill URL kwarg {name!r} from a {type(obj).__name__}; "
        "name the kwarg after a field of the model (or `pk`)."
    )


def walk_routes(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    """Every URL pattern of the project, depth first."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            full_namespace = ":".join(part for part in (namespace, inner) if part)
            yield from walk_routes(entry, prefix + str(entry.pattern), full_namespace)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield Route(
                pattern=prefix + str(entry.pattern),
                name=name,
                callback=entry.callback,
                kwargs=tuple(entry.pattern.regex.groupindex),
            )


def factory_for(model: type[models.Model], route: Route) -> ObjectFactory:
    """The registered factory of `model`; fails naming the route when there is none."""
    for known, factory in TENANT_OBJECT_FACTORIES.items():
        if issubclass(model, known):
            return factory
    raise AssertionError(
        f"Route {route.name} ({route.pattern}) serves {model.__name__}: add a factory for "
        f"{model.__name__} to TENANT_OBJECT_FACTORIES in tenants/tests/routes.py."
    )
