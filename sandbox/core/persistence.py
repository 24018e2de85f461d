"""`--state FILE`: the sandbox's state saved on exit and loaded on start.

The file is a pickle of every stand-in's `dump_state()`, the DNS records and
moto's backends (`sandbox.aws.moto_state`). The request log, faults and
options are not saved: a restart starts with a clean ledger and defaults.
A part that cannot be saved or restored is logged and skipped, never silently.
"""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.aws.moto_state import dump_moto_state, load_moto_state

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox

logger = logging.getLogger(__name__)

STATE_FORMAT = 1
_PICKLE_ERRORS = (pickle.PicklingError, TypeError, AttributeError)


def save_state(sandbox: Sandbox, path: Path) -> None:
    """Write the sandbox's state to `path` (atomically: a crash leaves the previous file)."""
    with sandbox.lock:
        stand_ins: dict[str, bytes] = {}
        for name, stand_in in sandbox.stand_ins.items():
            try:
                stand_ins[name] = pickle.dumps(stand_in.dump_state(), protocol=pickle.HIGHEST_PROTOCOL)
            except _PICKLE_ERRORS as error:
                logger.error("state of the %s stand-in not saved: it does not pickle (%s)", name, error)
        state: dict[str, Any] = {
            "format": STATE_FORMAT,
            "stand_ins": stand_ins,
            "dns": sandbox.dns.dump_state(),
            "moto": dump_moto_state(sandbox.aws_account_id),
        }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(temporary, path)
    logger.info("sandbox state saved to %s", path)


def load_state(sandbox: Sandbox, path: Path) -> None:
    """Restore what `save_state` wrote; a missing file means a fresh start."""
    if not path.exists():
        logger.info("no sandbox state at %s yet: starting empty", path)
        return
    state = pickle.loads(path.read_bytes())
    if state.get("format") != STATE_FORMAT:
        raise ValueError(
            f"{path} holds sandbox state format {state.get('format')!r}, expected {STATE_FORMAT}"
        )
    with sandbox.lock:
        restored = load_moto_state(sandbox.aws_account_id, state["moto"])
        sandbox.dns.load_state(state["dns"])
        for name, blob in state["stand_ins"].items():
            if not sandbox.has_stand_in(name):
                logger.warning("saved state of the %s stand-in ignored: it is not served", name)
                continue
            sandbox.stand_in(name).load_state(pickle.loads(blob))
    logger.info(
        "sandbox state loaded from %s: stand-ins %s, %d DNS records, moto %s",
        path,
        ", ".join(state["stand_ins"]) or "none",
        len(state["dns"]),
        ", ".join(restored) or "none",
    )
