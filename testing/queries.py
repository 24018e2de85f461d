"""Query counts: the dashboards and API lists must cost a fixed number of queries, whatever the rows.

Django's `CaptureQueriesContext` (as `TestCase.assertNumQueries` uses it), for pytest tests that are not
`TestCase`s; the failure lists the SQL, as `assertNumQueries` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def count_queries() -> Iterator[CaptureQueriesContext]:
    """The queries run inside the block, on the default connection (`len(captured)` after it)."""
    with CaptureQueriesContext(connection) as captured:
        yield captured


@contextmanager
def assert_num_queries(expected: int) -> Iterator[CaptureQueriesContext]:
    """Fail unless the block runs exactly `expected` queries; the message lists them."""
    with count_queries() as captured:
        yield captured
    executed = len(captured)
    sql = "\n".join(f"{n}. {query['sql']}" for n, query in enumerate(captured.captured_queries, start=1))
    assert executed == expected, f"{executed} queries executed, {expected} expected:\n{sql}"
