"""Installed size of the running environment, summed over pip's own record of each package's files.

`python bin/installed_size.py` prints the number of installed distributions and their size: the
files pip recorded for each (what `pip show --files` lists), so no Docker is needed to compare
an image's Python layer before and after a requirements change.
"""

from __future__ import annotations

import importlib.metadata
import os


def installed_size() -> tuple[int, int]:
    """(distributions, bytes) of every distribution installed in this interpreter's environment."""
    count = total = 0
    for dist in importlib.metadata.distributions():
        count += 1
        for file in dist.files or []:
            try:
                total += os.path.getsize(str(dist.locate_file(file)))
            except OSError:
                continue  # recorded but absent (e.g. a removed .pyc)
    return count, total


if __name__ == "__main__":
    distributions, size = installed_size()
    print(f"{distributions} distributions, {size / 1e6:.1f} MB")
