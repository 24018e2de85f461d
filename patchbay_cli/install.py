"""`python -m patchbay_cli.install`: put a `patchbay` command beside this Python (`make venv` runs it).

A script rather than a package install: installing needs a build backend (setuptools + wheel) that
a fresh virtualenv does not have and that would have to be downloaded; this works offline, on any
clone, and always runs the checkout's code (as an editable install would).
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
SCRIPT = """#!{python}
# Written by `make venv` (patchbay_cli/install.py): the Patchbay command line of {checkout}.
import sys

sys.path.insert(0, {checkout!r})
from patchbay_cli.main import main

raise SystemExit(main())
"""


def install(bin_dir: Path | None = None) -> Path:
    """Write `<bin_dir>/patchbay` (default: the directory of this Python) and make it executable."""
    target = (bin_dir or Path(sys.executable).parent) / "patchbay"
    target.write_text(SCRIPT.format(python=sys.executable, checkout=str(CHECKOUT)))
    mode = target.stat().st_mode
    os.chmod(target, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return target


if __name__ == "__main__":
    print(f"installed {install()}")
