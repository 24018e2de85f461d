"""Every test of the suite is a secret-leak test (issue 15, "Secret leaks").

Every secret Patchbay seals while a test runs — provider keys and tokens, the SIP passwords the engine
generates, alert webhook URLs and signing secrets — becomes a sentinel: its clear value is noted as it
goes into `encrypt_secrets`. When the test ends, its sentinels (and the factories' fixed secret
values) are searched for in:

- every log record Patchbay's own code emitted during the test (message, arguments and traceback);
- every response the Django test client received (API answers, dashboard pages, downloads);
- the rows a user or operator can read back: run plans and messages, run events, resource nodes'
  outputs, diffs and messages, and audit rows.

A hit fails the test in its teardown, naming where the secret was found. Tests that put a secret in
on purpose and read it back on purpose are none: Patchbay never shows a secret after it is saved.
The vendor stand-ins (`sandbox.*`, moto, werkzeug) are not Patchbay and are not searched: they hold
the secrets by design. Celery workers started by tests log in their own process; what they write to
the database is searched like the rest.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

#: keys of a sealed dict whose values are secrets (a SIP username or a webhook's host is not)
SECRET_KEYS = frozenset({"api_key", "client_secret", "auth_token", "password", "signing_secret", "url"})
#: secrets Patchbay makes and shows once, in the answer to the request that made them, as it shows an
#: API token's key: an alert webhook's signing secret, for the receiver to check signatures with
SHOWN_ONCE = frozenset({"signing_secret"})
#: loggers of the vendor stand-ins and the libraries that serve them (they hold secrets by design)
NOT_PATCHBAY = ("sandbox", "moto", "werkzeug", "flask")
#: a secret shorter than this could match by chance (a sealed "x" in a test)
MIN_LENGTH = 8


class Sentinels:
    """The clear secrets sealed during one test, and what was found holding them."""

    def __init__(self, fixed: set[str]) -> None:
        self._lock = threading.Lock()
        self.values: set[str] = set(fixed)
        self.shown_once: set[str] = set()
        self.hits: list[str] = []

    def note(self, plaintext: bytes) -> None:
        try:
            sealed = json.loads(plaintext)
        except ValueError:
            return
        if not isinstance(sealed, dict):
            return
        with self._lock:
            for key, value in sealed.items():
                if key in SECRET_KEYS and isinstance(value, str) and len(value) >= MIN_LENGTH:
                    self.values.add(value)
                    if key in SHOWN_ONCE:
                        self.shown_once.add(value)

    def search(self, where: str, text: str, allowed: frozenset[str] = frozenset()) -> None:
        with self._lock:
            found = [value for value in self.values - allowed if value in text]
            if found:
                self.hits.append(f"{where}: holds the secret {found[0][:4]}… ({len(found)} secret(s))")


class _Recorder:
    """Stands in for the MultiFernet `encrypt_secrets` uses: notes the plaintext, then encrypts it."""

    def __init__(self, real: Any, sentinels: Sentinels) -> None:
        self._real, self._sentinels = real, sentinels

    def encrypt(self, data: bytes) -> bytes:
        self._sentinels.note(data)
        return self._real.encrypt(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _LogSearch(logging.Handler):
    def __init__(self, sentinels: Sentinels) -> None:
        super().__init__(level=logging.DEBUG)
        self._sentinels = sentinels

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(NOT_PATCHBAY):
            return
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: search them raw
            text = f"{record.msg} {record.args}"
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]!r}"
        self._sentinels.search(f"log record of {record.name}", text)


def _fixed_secrets() -> set[str]:
    from integrations.tests.factories import VALID_SECRETS

    return {value for values in VALID_SECRETS.values() for value in values.values()}


def _note_stored(sentinels: Sentinels) -> None:
    """Secrets sealed in another process (a Celery worker's SIP passwords) are in the database: open
    every stored ciphertext and note its secrets too."""
    from alerts.models import AlertDestination
    from integrations.encryption import keyring
    from integrations.models import ProviderAccount, ResourceNode

    ciphertexts = list(ProviderAccount.objects.values_list("encrypted_secrets", flat=True))
    ciphertexts += AlertDestination.objects.values_list("secrets_ciphertext", flat=True)
    for intent, outputs in ResourceNode.objects.values_list("intent", "outputs"):
        for stored in (intent, outputs):
            if isinstance(stored, dict) and isinstance(stored.get("sealed"), str):
                ciphertexts.append(stored["sealed"])
    for ciphertext in filter(None, ciphertexts):
        try:
            sentinels.note(keyring().decrypt(ciphertext.encode()))
        except Exception:  # a key the test rotated away, or a deliberately broken value
            continue


def _search_rows(sentinels: Sentinels) -> None:
    from integrations.models import ResourceNode, Run, RunEvent
    from tenants.models import AuditEvent

    _note_stored(sentinels)
    for run in Run.objects.all().only("id", "plan", "message"):
        sentinels.search(f"run {run.pk}", json.dumps(run.plan, default=str) + run.message)
    for event in RunEvent.objects.all().only("id", "message"):
        sentinels.search(f"run event {event.pk}", event.message)
    for node in ResourceNode.objects.all().only("id", "node", "outputs", "last_diff", "message"):
        text = json.dumps([node.outputs, node.last_diff], default=str) + node.message
        sentinels.search(f"resource node {node.node}", text)
    for audit in AuditEvent.objects.all().only("id", "action", "diff", "object_repr"):
        # A generated request may use one string as both a secret and the object's name (Hypothesis draws
        # strings from the code's own literals): that name is the client's, not a leak.
        names = frozenset(str(v) for v in (audit.diff or {}).get("name") or () if v is not None)
        text = json.dumps(audit.diff, default=str) + audit.object_repr
        sentinels.search(f"audit row {audit.action}", text, allowed=names)


def _uses_database(request: pytest.FixtureRequest) -> bool:
    names = set(request.fixturenames)
    return (
        bool(names & {"db", "transactional_db", "live_server"})
        or request.node.get_closest_marker("django_db") is not None
    )


@pytest.fixture(autouse=True)
def secret_leak_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sentinels]:
    """Note every secret the test seals; fail the test if one shows in a log, a response or a row."""
    from integrations import encryption

    uses_database = _uses_database(request)
    if uses_database:
        # set up the test's database before this fixture, so it is still there when this one ends
        request.getfixturevalue("_django_db_helper")
    sentinels = Sentinels(_fixed_secrets())
    real_keyring = encryption.keyring
    monkeypatch.setattr(encryption, "keyring", lambda: _Recorder(real_keyring(), sentinels))
    real_request = Client.request

    def searched_request(client: Client, **environ: Any) -> Any:
        before = set(sentinels.shown_once)
        response = real_request(client, **environ)
        if not getattr(response, "streaming", False):
            where = f"response to {environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '')}"
            made_now = frozenset(sentinels.shown_once - before)
            sentinels.search(where, response.content.decode("utf-8", "replace"), allowed=made_now)
        return response

    monkeypatch.setattr(Client, "request", searched_request)
    handler = _LogSearch(sentinels)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield sentinels
    finally:
        root.removeHandler(handler)
    if uses_database:
        _search_rows(sentinels)
    assert not sentinels.hits, "a secret leaked: " + "; ".join(sentinels.hits[:5])
