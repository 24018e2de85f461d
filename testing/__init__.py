"""The test kit: what only the test suite (and bench/) uses, in one place.

In the spirit of Zulip's zerver/lib/test_classes.py and NetBox's utilities/testing:
- waits.py: `wait_until`, the one way a test waits for another thread or process (no fixed sleeps), and
  `poll_until` for callers that judge a timeout themselves;
- queries.py: `assert_num_queries`, `count_queries` (Django's CaptureQueriesContext);
- orphans.py: `census`, `assert_no_orphans`: vendor objects no node owns, or owned twice;
- world.py: `TenantWorld` (a tenant with a member and an API token per role), `member(tenant, role)`;
- html.py: `field_errors`, the errors a dashboard form shows beside a field;
- browser.py: `log_in_by_cookie`, a Playwright page signed in without the login form;
- processes.py: the session's SQLite files, child environments, real Celery worker processes;
- plugins/: the pytest plugins the root conftest.py registers (session, workers, browser, sandbox, engine,
  tenants, webhooks, logs);
- worker.py: the test workers' Celery app (`testing.ping`, the engine's crash points);
- resets.py: resets of module-level caches.

Production code never imports this package; what resets.py and worker.py reach into is private state of
production modules, named here so that those modules carry no test hooks.
"""
