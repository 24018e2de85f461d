"""The root of every app's tests: it registers the test kit's pytest plugins (testing/plugins/).

What the plugins give a test, by fixture name (a test module imports none of them):
- testing.plugins.session: the session's own SQLite files, Celery queue and broker, closed vendor URLs;
- testing.plugins.workers: `celery_worker_factory`, `celery_worker_process` (real worker processes);
- testing.plugins.browser: `browser_page` (headless Chromium), `dashboard_client`;
- testing.plugins.sandbox: `sandbox_server`, `sandbox_url`, `aws_client`, `synthflow_refusal_expected`;
- testing.plugins.engine: `engine_env`, `engine_worker`, `sandbox`, `applied` (the engine end to end);
- testing.plugins.tenants: `world`, `other_world` (testing/world.py's TenantWorld);
- testing.plugins.webhooks: `webhook_world`, `live_world` (a twilio_synthflow integration on the sandbox);
- testing.plugins.logs: `all_loggers_at_debug`;
- tenants.tests.leak_guard: no secret in any response.

Helpers are imported from the kit: `testing.waits.wait_until`, `testing.queries.assert_num_queries`,
`testing.orphans.assert_no_orphans`, `testing.html.field_errors`, `testing.processes` (workers, ROOT).

Cross-process fixtures (`celery_worker_process`, `live_server` + `browser_page`)
need tests marked `transactional_db` (or `django_db(transaction=True)`): the
other process only sees committed rows.
"""

pytest_plugins = [
    "testing.plugins.session",
    "testing.plugins.workers",
    "testing.plugins.browser",
    "testing.plugins.sandbox",
    "testing.plugins.sip_peers",
    "testing.plugins.engine",
    "testing.plugins.tenants",
    "testing.plugins.webhooks",
    "testing.plugins.logs",
    "tenants.tests.leak_guard",
]
