"""Provider secrets at rest: JSON encrypted with a MultiFernet key ring from `settings.FERNET_KEYS`.

`FERNET_KEYS` lists keys newest first: the first encrypts, all of them decrypt,
and `rotate_token` re-encrypts under the first so an old key can be retired.
"""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretsUnreadable(Exception):
    """Stored secrets do not decrypt with any key in FERNET_KEYS (a retired key, or corrupt data)."""


@lru_cache(maxsize=4)
def _keyring(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ValueError("FERNET_KEYS is empty: at least one Fernet key is needed to store secrets.")
    return MultiFernet([Fernet(key.strip().encode()) for key in keys])


def keyring() -> MultiFernet:
    """The MultiFernet for the current FERNET_KEYS (cached per key list, so settings overrides work)."""
    return _keyring(tuple(settings.FERNET_KEYS))


def encrypt_secrets(values: dict[str, str]) -> str:
    """Ciphertext (a Fernet token) of a dict of secret values, under the newest key."""
    return keyring().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_secrets(ciphertext: str) -> dict[str, str]:
    """The dict of secret values in `ciphertext`; `SecretsUnreadable` if no key opens it."""
    if not ciphertext:
        return {}
    try:
        return json.loads(keyring().decrypt(ciphertext.encode()))
    except InvalidToken as exc:
        raise SecretsUnreadable("Stored secrets cannot be decrypted with any key in FERNET_KEYS.") from exc


def rotate_ciphertext(ciphertext: str) -> str:
    """`ciphertext` re-encrypted under the newest key (MultiFernet.rotate)."""
    try:
        return keyring().rotate(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise SecretsUnreadable("Stored secrets cannot be decrypted with any key in FERNET_KEYS.") from exc
