"""The dashboard's integration form as a browser posts it (moved out of test_dashboard_integrations.py, which
test_account_change.py imported)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from integrations.kinds import get_kind
from integrations.models import ProviderAccount


def form_value(field: serializers.Field, value: Any) -> str:
    """How a config value is typed into the dashboard form."""
    if isinstance(field, serializers.ListField):
        return "\n".join(value)
    if isinstance(field, serializers.DictField):
        return "\n".join(f"{k} = {v}" for k, v in value.items())
    return str(value)


def integration_post(
    kind: str, accounts: dict[str, ProviderAccount], config: dict[str, Any], name: str = "line-1"
) -> dict[str, str]:
    """The POST body of the create form for `config`."""
    fields = get_kind(kind).ConfigSerializer().fields
    data = {"name": name, "policy": "heal"}
    data.update({f"accounts.{k}": str(a.pk) for k, a in accounts.items()})
    for key, value in config.items():
        if isinstance(value, dict) and isinstance(fields[key], serializers.Serializer):
            data.update({f"config.{key}.{sub}": str(v) for sub, v in value.items()})
        elif isinstance(value, bool):
            if value:
                data[f"config.{key}"] = "on"
        else:
            data[f"config.{key}"] = form_value(fields[key], value)
    return data
