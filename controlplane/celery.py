"""The one Celery app of Patchbay (`celery -A controlplane worker|beat`)."""

import os
import sqlite3
from typing import Any

from celery import Celery
from sqlalchemy import event
from sqlalchemy.engine import Engine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "controlplane.settings")

app = Celery("controlplane")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@event.listens_for(Engine, "connect")
def _embedded_broker_in_wal_mode(dbapi_connection: Any, connection_record: Any) -> None:
    """The embedded broker and result store of `make run` (SQLite through SQLAlchemy) in WAL mode.

    In SQLite's default rollback journal every commit waits for several fsyncs (about 30 ms here),
    and the voice webhook publishes its call record before it answers (integrations/hooks/call_log.py).
    With WAL and synchronous=NORMAL a commit survives the process being killed, which is what the
    call log needs, without waiting for the disk (sqlite.org/wal.html, /pragma.html#pragma_synchronous).
    Only SQLAlchemy's SQLite connections are touched: Django's database does not use SQLAlchemy.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
