"""Field checks shared by the actions (integrations/actions.py, integrations/account_actions.py): several
checks, one ValidationError with every field's errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import models
from rest_framework.exceptions import ValidationError

T = TypeVar("T")


class FieldErrors:
    """Runs several checks and raises one ValidationError with all their field errors."""

    def __init__(self) -> None:
        self.detail: dict[str, Any] = {}

    def check(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            self.detail.update(
                exc.detail if isinstance(exc.detail, Mapping) else {"non_field_errors": exc.detail}
            )
            return None

    def raise_any(self) -> None:
        if self.detail:
            raise ValidationError(self.detail)


def check_choice(field_name: str, value: str, choices: type[models.TextChoices]) -> None:
    if value not in choices.values:
        raise ValidationError({field_name: [f"{value!r} is not one of: {', '.join(choices.values)}."]})
