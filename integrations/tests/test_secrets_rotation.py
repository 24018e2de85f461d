"""Key rotation: `rotate_secrets` re-encrypts under the newest key, so the old key can be retired."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.core.management import CommandError, call_command

from integrations.choices import AccountKind
from integrations.encryption import SecretsUnreadable, decrypt_secrets, encrypt_secrets
from integrations.models import ProviderAccount
from integrations.tests.factories import VALID_SECRETS, ProviderAccountFactory

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
KINDS_WITH_SECRETS = [kind for kind in AccountKind.values if VALID_SECRETS[kind]]


def _rotate() -> str:
    out = StringIO()
    call_command("rotate_secrets", stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def accounts_under_old_key(db: Any, settings: Any) -> dict[str, tuple[ProviderAccount, str]]:
    settings.FERNET_KEYS = [OLD_KEY]
    accounts = {kind: ProviderAccountFactory(kind=kind) for kind in AccountKind.values}
    return {kind: (account, account.encrypted_secrets) for kind, account in accounts.items()}


def test_rotation_re_encrypts_and_the_old_key_can_be_retired(
    accounts_under_old_key: dict[str, tuple[ProviderAccount, str]], settings: Any
) -> None:
    settings.FERNET_KEYS = [NEW_KEY, OLD_KEY]

    assert _rotate() == f"Re-encrypted {len(KINDS_WITH_SECRETS)} secret(s) under the newest key."

    settings.FERNET_KEYS = [NEW_KEY]  # the old key is retired
    for kind, (account, old_ciphertext) in accounts_under_old_key.items():
        account.refresh_from_db()
        assert account.read_secrets() == VALID_SECRETS[kind]
        if not VALID_SECRETS[kind]:
            assert account.encrypted_secrets == old_ciphertext == ""  # AWS: no secrets at all
            continue
        assert account.encrypted_secrets != old_ciphertext
        Fernet(NEW_KEY.encode()).decrypt(account.encrypted_secrets.encode())  # under the newest key alone
        with pytest.raises(SecretsUnreadable):
            decrypt_secrets(old_ciphertext)
        with pytest.raises(InvalidToken):
            MultiFernet([Fernet(NEW_KEY.encode())]).decrypt(old_ciphertext.encode())


def test_without_rotation_retiring_the_key_makes_secrets_unreadable_and_rotation_says_so(
    accounts_under_old_key: dict[str, tuple[ProviderAccount, str]], settings: Any
) -> None:
    settings.FERNET_KEYS = [NEW_KEY]
    account, _ = accounts_under_old_key["vapi"]

    with pytest.raises(SecretsUnreadable) as unreadable:
        ProviderAccount.objects.get(pk=account.pk).read_secrets()
    with pytest.raises(CommandError) as failed:
        _rotate()

    assert VALID_SECRETS["vapi"]["api_key"] not in str(unreadable.value)
    assert f"{len(KINDS_WITH_SECRETS)} stored secret(s) could not be decrypted" in str(failed.value)
    assert f"integrations.ProviderAccount {account.pk} (encrypted_secrets)" in str(failed.value)
    assert ProviderAccount.objects.get(pk=account.pk).encrypted_secrets == accounts_under_old_key["vapi"][1]


def test_rotating_twice_is_harmless(
    accounts_under_old_key: dict[str, tuple[ProviderAccount, str]], settings: Any
) -> None:
    settings.FERNET_KEYS = [NEW_KEY, OLD_KEY]
    _rotate()
    settings.FERNET_KEYS = [NEW_KEY]

    assert _rotate() == f"Re-encrypted {len(KINDS_WITH_SECRETS)} secret(s) under the newest key."
    account, _ = accounts_under_old_key["twilio"]
    assert ProviderAccount.objects.get(pk=account.pk).read_secrets() == VALID_SECRETS["twilio"]


def test_secrets_written_after_a_new_key_is_added_use_it(db: Any, settings: Any) -> None:
    settings.FERNET_KEYS = [NEW_KEY, OLD_KEY]

    account = ProviderAccountFactory(kind="genesys")

    Fernet(NEW_KEY.encode()).decrypt(account.encrypted_secrets.encode())
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY.encode()).decrypt(account.encrypted_secrets.encode())


def test_generated_sip_credentials_kept_by_the_engine_are_rotated_too(db: Any, settings: Any) -> None:
    from integrations.models.engine import ResourceNode
    from integrations.resources.sip_credentials import open_credentials
    from integrations.tests.factories import IntegrationFactory

    settings.FERNET_KEYS = [OLD_KEY]
    integration = IntegrationFactory(kind="connect_synthflow")
    sealed = encrypt_secrets({"username": "pbuser", "password": "digest-password-1"})
    node = ResourceNode.objects.create(
        tenant=integration.tenant,
        integration=integration,
        node="sip_credentials",
        type="patchbay.sip_credentials",
        intent={"username": "pbuser", "sealed": sealed},
        outputs={"username": "pbuser", "sealed": sealed},
    )
    settings.FERNET_KEYS = [NEW_KEY, OLD_KEY]

    _rotate()

    settings.FERNET_KEYS = [NEW_KEY]  # the old key is retired: the engine can still open the pair
    node.refresh_from_db()
    assert open_credentials(node.intent["sealed"])["password"] == "digest-password-1"
    assert open_credentials(node.outputs["sealed"])["password"] == "digest-password-1"
    assert node.intent["sealed"] != sealed
