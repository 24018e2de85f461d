"""The x-amzn header check before any apply: the configuration alone can already be decided."""

from __future__ import annotations

from typing import Any

import pytest

from integrations.choices import IntegrationKind
from integrations.diagnostics.checks.amzn_header import reserved_header
from integrations.diagnostics.runner import evaluate_checks
from integrations.tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db


def _finding(integration: Any) -> Any:
    return next(f for f in evaluate_checks(integration) if f.check == "x-amzn-header")


def test_a_reserved_forward_attribute_is_a_problem_even_before_apply(world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_VAPI)
    # Saved before the config schema refused such names (or written around the API).
    integration.config = {**integration.config, "forward_attributes": ["customer-id", "AMZN.Trace-Id"]}
    integration.save()
    finding = _finding(integration)
    assert finding.status == "problem" and finding.severity == "warning"
    assert finding.evidence == "config forward_attributes: 'AMZN.Trace-Id' → x-amzn-trace-id"
    assert "Chime refuses" in finding.message and "never receives that attribute" in finding.message
    assert "forward_attributes" in finding.fix


def test_a_clean_configuration_without_lambdas_cannot_decide(world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_VAPI)
    integration.config = {**integration.config, "forward_attributes": ["customer-id", "amazon-ref"]}
    integration.save()
    finding = _finding(integration)
    assert finding.status == "unknown"
    assert "not provisioned yet" in finding.message and "names no x-amzn header" in finding.message


@pytest.mark.parametrize(
    ("attribute", "header"),
    [("amzn", "x-amzn"), ("Amzn_Foo", "x-amzn-foo"), (" amznfoo ", "x-amznfoo"), ("my-amzn", None)],
)
def test_reserved_header_names(attribute: str, header: str | None) -> None:
    assert reserved_header(attribute) == header
