"""Switchable strictness: where a vendor's behaviour is UNCONFIRMED, the stricter reading is on.

An option is a public attribute of a stand-in whose name starts with
`strict_`, or one the stand-in lists in its `tunables` class attribute (for
non-boolean knobs such as a rate limit). The control API reads them with
`GET /_sandbox/options` and sets them with `POST /_sandbox/options
{"<stand-in name>": {"<option>": value}}`; a new value must have the type of
the default. `POST /_sandbox/reset` restores every default, so one test's
choice never leaks into the next.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STRICT_PREFIX = "strict_"


class OptionError(ValueError):
    """An option change the control API refuses (400), with a message saying why."""


def option_names(owner: object) -> list[str]:
    """The option attribute names an object exposes."""
    names = {n for n in dir(owner) if n.startswith(STRICT_PREFIX) and not callable(getattr(owner, n))}
    names.update(getattr(owner, "tunables", ()))
    return sorted(names)


class Options:
    """Every option of every served stand-in (and of the core), with their defaults."""

    def __init__(self, owners: Mapping[str, object]) -> None:
        self._owners = dict(owners)
        self._defaults = {
            name: {opt: getattr(owner, opt) for opt in option_names(owner)}
            for name, owner in self._owners.items()
        }

    def current(self) -> dict[str, dict[str, Any]]:
        """{owner name: {option: current value}} for owners that have options."""
        return {
            name: {opt: getattr(self._owners[name], opt) for opt in defaults}
            for name, defaults in self._defaults.items()
            if defaults
        }

    def set(self, changes: Any) -> dict[str, dict[str, Any]]:
        """Apply `{"<owner>": {"<option>": value}}` atomically (all or nothing) and return the new values."""
        if not isinstance(changes, dict) or not changes:
            raise OptionError('body must be {"<stand-in name>": {"<option>": value}}')
        planned: list[tuple[object, str, Any]] = []
        for owner_name, values in changes.items():
            if owner_name not in self._defaults:
                raise OptionError(
                    f"unknown stand-in {owner_name!r}; known: {', '.join(sorted(self._defaults))}"
                )
            if not isinstance(values, dict):
                raise OptionError(f"options of {owner_name!r} must be an object of option → value")
            defaults = self._defaults[owner_name]
            for option, value in values.items():
                if option not in defaults:
                    known = ", ".join(sorted(defaults)) or "none"
                    raise OptionError(f"{owner_name} has no option {option!r}; known: {known}")
                if type(value) is not type(defaults[option]):
                    kind = type(defaults[option]).__name__
                    raise OptionError(f"{owner_name}.{option} must be a {kind}")
                planned.append((self._owners[owner_name], option, value))
        for owner, option, value in planned:
            setattr(owner, option, value)
        return self.current()

    def restore_defaults(self) -> None:
        """Put every option back to the value it had when the sandbox started."""
        for name, defaults in self._defaults.items():
            for option, value in defaults.items():
                setattr(self._owners[name], option, value)
