"""Settings for mypy's Django plugin (`[tool.django-stubs]` in pyproject.toml), never served.

The plugin imports the settings to learn the installed apps and models. settings.py refuses to load
without deployment values unless DEBUG is on, so type checking runs with DEBUG's development defaults
and needs no environment of its own; a value already in the environment still wins.
"""

import os

os.environ.setdefault("DEBUG", "true")

from controlplane.settings import *  # noqa: F403
