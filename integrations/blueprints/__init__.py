"""The resource graph of each integration kind, one module per kind, and the node fragments they share.

A kind's module (integrations/kinds/<kind>.py) carries its blueprint as `BLUEPRINT`; ask the kind
(`integrations.kinds.blueprint_for`), not this package.
"""
