"""The provisioning engine: plan, apply, teardown and reconcile over a blueprint's graph.

The engine knows no vendor. Resource types (`integrations/resources/`) know one
kind of external object each; blueprints (one per integration kind) say which
nodes an integration needs and how each node's desired spec derives from the
config and from earlier nodes' outputs. Retries, create-pending bookkeeping,
events, progress and conditions live here and nowhere else.
"""
