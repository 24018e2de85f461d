"""One owner of retries per vendor call: the engine inside a node step, the client everywhere else."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from integrations.engine.retry import with_retries
from integrations.vendors.aws import AwsAccountRef, AwsSession
from integrations.vendors.errors import VendorUnavailable
from integrations.vendors.http import VendorHttpClient, engine_owns_retries


class CountingClient(VendorHttpClient):
    """A vendor whose every answer is `status` (a 401 once first, if `expired`)."""

    vendor = "retrytest"

    def __init__(self, status: int, *, expired: bool = False) -> None:
        super().__init__("http://vendor.invalid")
        self.sent = 0
        self.expired = expired
        self.refreshes = 0
        self.http = httpx.Client(transport=httpx.MockTransport(self._answer))
        self.status = status

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        if self.expired and self.refreshes == 0:
            return httpx.Response(401, text="token expired")
        return httpx.Response(self.status, text="busy")

    def on_auth_failure(self) -> bool:
        self.refreshes += 1
        return True


@pytest.fixture(autouse=True)
def budgets(settings: Any) -> None:
    settings.VENDOR_HTTP_ATTEMPTS = 4
    settings.ENGINE_NODE_ATTEMPTS = 6


def no_sleep(seconds: float) -> None:
    pass


def test_outside_the_engine_the_client_owns_the_retries() -> None:
    client = CountingClient(503)
    with pytest.raises(VendorUnavailable):
        client.request("GET", "/things", sleep=no_sleep)
    assert client.sent == 4


def test_in_a_node_step_a_vendor_call_is_tried_once_and_the_engine_retries_the_step() -> None:
    client = CountingClient(503)
    retries: list[int] = []

    def step() -> Any:
        return client.request("GET", "/things", sleep=no_sleep)

    with pytest.raises(VendorUnavailable):
        with_retries(step, lambda error, attempt, delay: retries.append(attempt), sleep=no_sleep)
    assert client.sent == 6  # ENGINE_NODE_ATTEMPTS, not 6 x VENDOR_HTTP_ATTEMPTS
    assert retries == [1, 2, 3, 4, 5]


def test_fresh_credentials_are_not_a_try() -> None:
    client = CountingClient(200, expired=True)
    with engine_owns_retries():
        assert client.request("GET", "/things", sleep=no_sleep).status_code == 200
    assert (client.sent, client.refreshes) == (2, 1)


def test_aws_calls_in_a_node_step_use_the_single_attempt_client(monkeypatch: pytest.MonkeyPatch) -> None:
    session = AwsSession(AwsAccountRef(role_arn="arn:aws:iam::1:role/x", external_id="e", region="us-east-1"))
    asked: list[bool] = []

    class Client:
        def describe(self) -> dict[str, Any]:
            return {}

    def client(service: str, *, region: str | None = None, single_attempt: bool = False) -> Client:
        asked.append(single_attempt)
        return Client()

    monkeypatch.setattr(session, "client", client)
    session.call("chime", "describe")
    with engine_owns_retries():
        session.call("chime", "describe")
    assert asked == [False, True]
