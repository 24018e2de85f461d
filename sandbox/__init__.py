"""Patchbay's sandbox: local stand-ins for every vendor Patchbay talks to.

`python -m sandbox` serves them all from one process on one port. No test,
demo or benchmark of Patchbay reaches a real vendor.
"""
