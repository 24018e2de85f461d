"""Save and restore moto's backends for `python -m sandbox --state FILE`.

Every backend moto has built in the sandbox account is pickled (one pickle,
so references between backends survive: a Lambda function keeps pointing at
the restored CloudWatch Logs backend). moto 5.2.5 keeps Lambda's ARN index in
a `WeakValueDictionary` and some maps in `defaultdict(lambda: {})`, neither of
which pickles; they are saved as plain dicts and rebuilt. A backend that
still does not pickle (STS's session store) is left out and logged.
"""

from __future__ import annotations

import importlib
import io
import logging
import pickle
import weakref
from collections import defaultdict
from typing import Any

logger = logging.getLogger(__name__)

_PLAIN_FACTORIES = (dict, list, set)


def _weak_values(items: dict[Any, Any]) -> weakref.WeakValueDictionary[Any, Any]:
    return weakref.WeakValueDictionary(items)


def _defaultdict(factory: type, items: dict[Any, Any]) -> defaultdict[Any, Any]:
    return defaultdict(factory, items)


class _StatePickler(pickle.Pickler):
    """A pickler that also saves moto's weak-value indexes and lambda-factory defaultdicts."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, weakref.WeakValueDictionary):
            return _weak_values, (dict(obj.items()),)
        factory = getattr(obj, "default_factory", None)
        if isinstance(obj, defaultdict) and getattr(factory, "__name__", "") == "<lambda>":
            sample = factory()  # type: ignore[misc]
            if type(sample) in _PLAIN_FACTORIES and not sample:
                return _defaultdict, (type(sample), dict(obj))
        return NotImplemented


def _pickles(obj: Any) -> bytes:
    buffer = io.BytesIO()
    _StatePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


def _backend_dict(module: str, qualname: str) -> Any:
    """The module-level BackendDict whose backend class is `module.qualname`."""
    from moto.core.base_backend import BackendDict

    for value in vars(importlib.import_module(module)).values():
        if isinstance(value, BackendDict) and value.backend.__qualname__ == qualname:
            return value
    raise LookupError(f"no moto BackendDict for {module}.{qualname}")


def dump_moto_state(account_id: str) -> bytes:
    """Every picklable moto backend of the account, as bytes."""
    from moto.core.base_backend import BackendDict

    saved: dict[tuple[str, str], dict[str, Any]] = {}
    for backend_dict in list(BackendDict._instances):  # type: ignore[misc]
        if account_id not in backend_dict:
            continue
        cls = backend_dict.backend
        for region, backend in list(backend_dict[account_id].items()):
            try:
                _pickles(backend)
            except (pickle.PicklingError, TypeError, AttributeError, KeyError) as error:
                logger.warning("moto %s/%s not saved: it does not pickle (%s)", cls.__name__, region, error)
                continue
            saved.setdefault((cls.__module__, cls.__qualname__), {})[region] = backend
    return _pickles(saved)


def load_moto_state(account_id: str, data: bytes) -> list[str]:
    """Put saved backends back in place; returns "<Backend>/<region>" for each restored one."""
    saved: dict[tuple[str, str], dict[str, Any]] = pickle.loads(data)
    restored = []
    for (module, qualname), regions in saved.items():
        backend_dict = _backend_dict(module, qualname)
        for region, backend in regions.items():
            backend_dict[account_id][region] = backend
            restored.append(f"{qualname}/{region}")
    return restored
