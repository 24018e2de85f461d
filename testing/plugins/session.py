"""The test session's own database files, Celery queue and broker, and its vendor URLs.

Moved from the root conftest.py.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from testing.processes import NO_VENDOR, SESSION_FILES, VENDOR_URL_SETTINGS, EmbeddedBroker, session_suffix


def pytest_configure(config: pytest.Config) -> None:
    """Give this test session its own Celery queue and, without Redis, its own broker files.

    A `make run` on the same checkout uses var/celery-broker.sqlite3 and the
    `celery` queue; test tasks must never reach its worker (or its database).
    """
    suffix = session_suffix(config)
    overrides: dict[str, str] = {"task_default_queue": f"pb-test-{suffix}-{uuid.uuid4().hex[:8]}"}
    if not settings.REDIS_URL:
        broker = EmbeddedBroker.for_session(f"celery-{suffix}")
        overrides["broker_url"] = broker.broker_url
        overrides["result_backend"] = broker.result_backend
        settings.CELERY_BROKER_URL = overrides["broker_url"]
        settings.CELERY_RESULT_BACKEND = overrides["result_backend"]
    settings.CELERY_TASK_DEFAULT_QUEUE = overrides["task_default_queue"]
    # SIP probes and vendor calls in tests go to the local sandbox on loopback (DESIGN §8).
    settings.ALLOW_PRIVATE_TARGETS = True
    # A test that forgot to point a vendor at the sandbox fails fast instead of reaching the vendor.
    for name in VENDOR_URL_SETTINGS:
        if not getattr(settings, name, ""):
            setattr(settings, name, NO_VENDOR)
    # WhiteNoise warns on every request when STATIC_ROOT is missing (collectstatic never runs in tests).
    Path(settings.STATIC_ROOT).mkdir(exist_ok=True)
    from controlplane.celery import app

    app.conf.update(overrides)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove this process's broker files (Django removes its test database itself)."""
    for path in SESSION_FILES.glob(f"*-{os.getpid()}-*.sqlite3"):
        path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, request: pytest.FixtureRequest
) -> None:
    """Put SQLite test databases in files, so a worker process or a live server can open them too."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        SESSION_FILES.mkdir(exist_ok=True)
        name = SESSION_FILES / f"db-{os.getpid()}-{session_suffix(request.config)}.sqlite3"
        db.setdefault("TEST", {})["NAME"] = str(name)
