"""What the Synthflow stand-in's HTTP tests share: an account, a client of it, an import, the error shape.

A test module takes the fixtures by name (`account = synthflow_support.account`, ...).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

TERMINATION = "pb-acme.voiceconnector.chime.aws"


@pytest.fixture
def account(sandbox_url: str) -> dict[str, Any]:
    """A fresh Synthflow account: `{api_key, workspace_id, assistant_id}` (an inbound assistant)."""
    response = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "synthflow"})
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def synthflow(sandbox_url: str, account: dict[str, Any]) -> Iterator[httpx.Client]:
    """A client of the sandbox's Synthflow API authenticated as `account`."""
    headers = {"Authorization": f"Bearer {account['api_key']}"}
    with httpx.Client(base_url=f"{sandbox_url}/synthflow", headers=headers, timeout=10) as client:
        yield client


def import_number(
    synthflow: httpx.Client, account: dict[str, Any], number: str = "+14155550100"
) -> dict[str, Any]:
    body = {
        "workspace_id": account["workspace_id"],
        "phone_number": number,
        "friendly_name": "pb-acme-support-number",
        "termination_uri": TERMINATION,
        "trunk_username": "patchbay",
        "trunk_pwd": "digest-secret",
    }
    response = synthflow.post("/v2/custom-numbers", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def assert_detail(response: httpx.Response, status: int, *fragments: str) -> dict[str, str]:
    """Synthflow's error body `{"detail": {status, description, request_id, category}}`."""
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert set(detail) == {"status", "description", "request_id", "category"}
    assert all(isinstance(value, str) for value in detail.values())
    for fragment in fragments:
        assert fragment in detail["description"]
    return detail
