"""Options of the fault campaigns (`make soak-faults`): the seed and the runs per kind.

A pytest plugin (`-p bench.fault_options`), not a conftest: a second `conftest` module would shadow the
root one that test modules import fixtures' helpers from."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fault campaigns")
    group.addoption("--seed", default="1", help="seed of the random faults campaign (same seed, same faults)")
    group.addoption("--runs", type=int, default=100, help="random-fault runs in all, spread over the kinds")
