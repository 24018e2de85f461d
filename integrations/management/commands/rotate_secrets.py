"""`manage.py rotate_secrets`: re-encrypt every stored secret under the newest key of FERNET_KEYS.

Rotate keys by putting a new key first in FERNET_KEYS (keeping the old ones),
running this command, then removing the old keys.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from integrations.rotation import rotate_secrets


class Command(BaseCommand):
    help = "Re-encrypt every stored provider secret under the newest key in FERNET_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        report = rotate_secrets()
        self.stdout.write(f"Re-encrypted {report.rotated} secret(s) under the newest key.")
        if report.unreadable:
            raise CommandError(
                f"{len(report.unreadable)} stored secret(s) could not be decrypted with any key in "
                f"FERNET_KEYS and were left as they are: {', '.join(report.unreadable)}."
            )
