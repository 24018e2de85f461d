"""Secrets at rest: re-encrypt every stored ciphertext under the newest key of FERNET_KEYS.

`manage.py rotate_secrets` calls `rotate_secrets()`; afterwards the older keys
can be removed from FERNET_KEYS. Rows are rotated one per transaction, so a
rotation interrupted half way leaves every row readable under the key ring.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction

from integrations.encryption import SecretsUnreadable, rotate_ciphertext


@dataclass
class RotationReport:
    """What `rotate_secrets` did: ciphertexts re-encrypted, and rows no key could open."""

    rotated: int = 0
    unreadable: list[str] = field(default_factory=list)


def encrypted_models() -> list[type[models.Model]]:
    """Every model that declares `encrypted_fields` (columns holding Fernet ciphertext)."""
    return [model for model in apps.get_models() if getattr(model, "encrypted_fields", None)]


def rotate_secrets() -> RotationReport:
    """Re-encrypt every stored secret under the newest key of FERNET_KEYS, one row per transaction."""
    report = RotationReport()
    for model in encrypted_models():
        fields: tuple[str, ...] = model.encrypted_fields  # type: ignore[attr-defined]
        for pk in model._default_manager.values_list("pk", flat=True).order_by("pk").iterator():
            with transaction.atomic():
                row = model._default_manager.select_for_update().filter(pk=pk).first()
                if row is None:  # deleted meanwhile
                    continue
                changed = []
                for name in fields:
                    ciphertext = getattr(row, name)
                    if not ciphertext:
                        continue
                    try:
                        setattr(row, name, rotate_ciphertext(ciphertext))
                    except SecretsUnreadable:
                        report.unreadable.append(f"{model._meta.label} {pk} ({name})")
                        continue
                    changed.append(name)
                if changed:
                    row.save(update_fields=changed)
                    report.rotated += len(changed)
    _rotate_sealed_node_state(report)
    return report


#: key under which resource nodes keep Fernet ciphertext inside their JSON state
#: (e.g. `patchbay.sip_credentials`' generated digest password)
SEALED_KEY = "sealed"


def _rotate_sealed_node_state(report: RotationReport) -> None:
    """Re-encrypt the `sealed` values resource nodes keep in `intent` and `outputs`."""
    from integrations.models.engine import ResourceNode

    nodes = ResourceNode.objects.filter(
        models.Q(intent__has_key=SEALED_KEY) | models.Q(outputs__has_key=SEALED_KEY)
    )
    for pk in nodes.values_list("pk", flat=True).order_by("pk").iterator():
        with transaction.atomic():
            row = ResourceNode.objects.select_for_update().filter(pk=pk).first()
            if row is None:
                continue
            changed = []
            for name in ("intent", "outputs"):
                state = dict(getattr(row, name) or {})
                if not state.get(SEALED_KEY):
                    continue
                try:
                    state[SEALED_KEY] = rotate_ciphertext(state[SEALED_KEY])
                except SecretsUnreadable:
                    report.unreadable.append(f"{ResourceNode._meta.label} {pk} ({name}.{SEALED_KEY})")
                    continue
                setattr(row, name, state)
                changed.append(name)
            if changed:
                row.save(update_fields=changed)
                report.rotated += len(changed)
