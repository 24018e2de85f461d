"""Logs in tests: every logger of the process at DEBUG, captured (tests proving what never gets logged)."""

from __future__ import annotations

import logging

import pytest


@pytest.fixture
def all_loggers_at_debug(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """`caplog` with the root logger and every named logger at DEBUG (moved from test_secrets_exposure.py)."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog
