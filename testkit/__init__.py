"""What only the test suite (and bench/) uses: the test workers' Celery app, and resets of module caches.

Production code never imports this package; what it reaches into is private state of production
modules, named here so that those modules carry no test hooks.
"""
