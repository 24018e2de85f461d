"""What of a resource node's outputs may be shown, on the dashboard and in the API.

Outputs feed other nodes, and a few are secret: a `sealed` output is a Fernet
ciphertext of credentials (integrations/resources/sip_credentials.py), and a
resource type names its other sensitive fields. Neither is ever shown: a sealed
value reads "sealed", anything else secret "(sensitive)".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from integrations.resources import get_resource_type

#: the output holding a ciphertext (the same key integrations/rotation.py re-encrypts)
SEALED_KEY = "sealed"

#: words in an output's name that mark it as a secret: such values are never shown
SECRET_WORDS = ("secret", "password", "token", "api_key", "apikey", "private", "credentials")
MASK = "(sensitive)"
SEALED = "sealed"


def _sensitive(type_name: str) -> frozenset[str]:
    try:
        return get_resource_type(type_name).sensitive_fields
    except LookupError:
        return frozenset()


def public_output_values(type_name: str, outputs: Mapping[str, Any] | None) -> dict[str, Any]:
    """The outputs with every secret replaced by "sealed" or "(sensitive)"; keys sorted."""
    sensitive = _sensitive(type_name)
    shown: dict[str, Any] = {}
    for key, value in sorted((outputs or {}).items()):
        if key == SEALED_KEY:
            shown[key] = SEALED if value else ""
        elif key in sensitive or any(word in key.lower() for word in SECRET_WORDS):
            shown[key] = MASK
        else:
            shown[key] = value
    return shown
