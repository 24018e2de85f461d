"""Tenant fixtures of every app's API and dashboard tests (moved from tenants/tests/fixtures.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from testing.world import TenantWorld


@pytest.fixture
def world(db: Any) -> TenantWorld:
    """Tenant `acme` with a member and a token per role."""
    return TenantWorld.build("acme")


@pytest.fixture
def other_world(db: Any) -> TenantWorld:
    """A second tenant, `globex`, for isolation tests."""
    return TenantWorld.build("globex")


@pytest.fixture(autouse=True)
def _fresh_throttle_counters() -> None:
    """Every test starts with no login failures and a full API budget (the tests' cache is per process)."""
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()
