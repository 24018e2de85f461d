"""The engine's end-to-end fixtures moved to the test kit (testing/plugins/engine.py), which every test
gets by name. This name stays for integrations/diagnostics/tests/test_checks_connect_vapi_applied.py (edited
elsewhere in parallel), which still assigns them (`engine_env = engine_fixtures.engine_env`); drop it once
that module stops."""

from testing.plugins.engine import engine_env, engine_worker, sandbox

__all__ = ["engine_env", "engine_worker", "sandbox"]
