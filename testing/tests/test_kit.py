"""The test kit's own helpers: waits, query counts, the orphan census."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest

from integrations.models.engine import ResourceNode
from integrations.tests.factories import IntegrationFactory
from tenants.models import Tenant
from testing.orphans import assert_no_orphans, census
from testing.queries import assert_num_queries
from testing.waits import poll_until, wait_until


def test_wait_until_returns_the_predicates_first_truthy_value() -> None:
    answers = iter([None, 0, "", "ready"])

    assert wait_until(lambda: next(answers), timeout=5) == "ready"


def test_wait_until_backs_off_instead_of_spinning() -> None:
    calls: list[float] = []

    with pytest.raises(pytest.fail.Exception):
        wait_until(lambda: calls.append(time.monotonic()), timeout=0.5, interval=0.02, max_interval=0.2)

    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert 3 <= len(calls) <= 10  # 0.02, 0.04, 0.08, 0.16, 0.2...: a handful of looks, not a busy loop
    assert gaps[-1] > gaps[0]


def test_wait_until_fails_the_test_with_the_message_asked_for_only_then() -> None:
    asked: list[int] = []

    def message() -> str:
        asked.append(1)
        return "the worker never said hello"

    with pytest.raises(pytest.fail.Exception, match=r"the worker never said hello \(waited 0.1s\)"):
        wait_until(lambda: False, timeout=0.1, message=message)
    assert asked == [1]


def test_poll_until_gives_up_quietly() -> None:
    assert poll_until(lambda: False, timeout=0.05) is None
    assert poll_until(lambda: 3, timeout=0.05) == 3


@pytest.mark.django_db
def test_assert_num_queries_counts_the_blocks_queries_and_lists_them_when_wrong() -> None:
    with assert_num_queries(1):
        Tenant.objects.count()

    def two_queries() -> None:
        with assert_num_queries(1):
            Tenant.objects.count()
            Tenant.objects.exists()

    with pytest.raises(AssertionError, match=r"2 queries executed, 1 expected:\n1\. SELECT"):
        two_queries()


class Ledger:
    """A sandbox whose ledger holds `objects` (the census reads nothing else of it)."""

    def __init__(self, objects: list[dict[str, Any]]) -> None:
        self.objects = objects

    def ledger(self) -> dict[str, Any]:
        return {"objects": self.objects}


def vendor_object(type_: str, id_: str, name: str, state: str = "Active") -> dict[str, Any]:
    return {"type": type_, "id": id_, "name": name, "state": state}


@pytest.mark.django_db
def test_the_census_counts_duplicates_of_a_node_and_objects_no_node_owns() -> None:
    integration = IntegrationFactory()
    ResourceNode.objects.create(
        tenant=integration.tenant, integration=integration, node="table", type="aws.dynamodb_table",
        external_name="pb-x-table", external_id="arn:aws:dynamodb:us-east-1:1:table/pb-x-table",
    )  # fmt: skip
    owned = vendor_object("dynamodb.table", "pb-x-table", "pb-x-table")
    baseline = {("connect.Instance", "i-1")}
    clean = Ledger([owned, vendor_object("connect.Instance", "i-1", "theirs")])
    messy = Ledger([*clean.objects, owned, vendor_object("iam.role", "r-1", "pb-x-leftover")])

    assert census(clean, integration, "pb-x", baseline) == (0, 0)  # type: ignore[arg-type]
    assert_no_orphans(clean, integration, "pb-x", baseline)  # type: ignore[arg-type]
    assert census(messy, integration, "pb-x", baseline) == (1, 1)  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match=r"table: 1 duplicate\(s\)\norphan iam.role pb-x-leftover"):
        assert_no_orphans(messy, integration, "pb-x", baseline)  # type: ignore[arg-type]
