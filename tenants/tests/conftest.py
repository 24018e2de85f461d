"""Fixtures of the tenants app's dashboard tests (the tenant world itself is the test kit's `world`)."""

from __future__ import annotations

from typing import Any

import pytest

from tenants.tests.dashboard_matrix import tenant_objects
from testing.world import TenantWorld


@pytest.fixture
def objects(world: TenantWorld) -> dict[str, Any]:
    """An integration (with its accounts), an account, a token and an audit row in tenant `acme`."""
    return tenant_objects(world)
