# Patchbay: `make run` brings the whole control plane up on a laptop; `make test` runs the suite.
# Both create the virtualenv on first use and reinstall the requirements only when a requirements file changed:
# requirements.txt (runtime, the image's) and requirements-test.txt (tests, lint, the sandbox) on top of it.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Touched after a successful install; either requirements file newer means "install again".
STAMP := $(VENV)/.requirements-installed
PYTEST_ARGS ?=
# pytest-xdist workers for `make test`: most tests wait on a worker, a browser or the sandbox, so two
# processes halve the wall time on a 2-core CI box. `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= 2
RUN_ARGS ?=

.PHONY: run test lint format bench bench-full sandbox venv migrate seed audit soak soak-teardown soak-faults soak-restarts

$(PY):
	$(PYTHON) -m venv $(VENV)

# Then the `patchbay` command line (patchbay_cli/) as .venv/bin/patchbay, running this checkout's code.
$(STAMP): requirements.txt requirements-test.txt patchbay_cli/install.py | $(PY)
	$(PY) -m pip install --disable-pip-version-check --no-input --quiet -r requirements-test.txt
	$(PY) -m patchbay_cli.install
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(PY) bin/run_all.py $(RUN_ARGS)

test: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) bin/import_cycles.py
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmarks are bench/bench_*.py (pytest style); an empty bench/ is not an error.
bench: $(STAMP)
	PATCHBAY_WORKER_READY_SECONDS=300 $(PY) -m pytest bench -o python_files="bench_*.py" -o python_functions="bench_* test_*" -p no:cacheprovider -q; \
	status=$$?; if [ $$status -eq 5 ]; then echo "bench/: no benchmarks yet"; exit 0; fi; exit $$status

# Issue 15's reconciliation at scale with N=1000 integrations (bench/bench_reconcile_scale.py; `make bench`
# runs N=10 and 100): 1000 real applies, then a no-op reconcile pass with 1 and with 2 workers. Over an hour
# on a shared 2-core box. BENCH_RECONCILE_N="100,1000" runs several sizes.
BENCH_RECONCILE_N ?= 1000
bench-full: $(STAMP)
	BENCH_RECONCILE_N=$(BENCH_RECONCILE_N) PATCHBAY_WORKER_READY_SECONDS=300 $(PY) -m pytest bench/bench_reconcile_scale.py \
		-o python_files="bench_*.py" -o python_functions="bench_*" -p no:cacheprovider -q

sandbox: $(STAMP)
	$(PY) -m sandbox

# With make run's generated keys (var/dev-settings.json): settings refuse to start without keys.
migrate: $(STAMP)
	$(PY) bin/run_all.py --manage migrate

seed: $(STAMP)
	$(PY) bin/run_all.py --manage seed_demo

# Known vulnerabilities of the pinned requirements, from PyPI's JSON API (AUDIT_SERVICE=osv: api.osv.dev).
# requirements-test.txt includes requirements.txt, so both files are audited.
# --no-deps: the requirements files pin every package, so nothing is resolved or installed.
# --strict: a package that could not be checked fails the audit instead of passing silently.
AUDIT_SERVICE ?= pypi
audit: $(STAMP)
	$(VENV)/bin/pip-audit --requirement requirements-test.txt --no-deps --disable-pip --strict \
		--vulnerability-service $(AUDIT_SERVICE) --progress-spinner off

# Issue 13's attacks against a stack it starts itself (bench/soak/: sandbox, gunicorn, worker, a temporary
# SQLite database): prints request -> status -> seconds -> peak memory, also into var/soak/report.md.
# Fails on a 5xx, an unexpected status, a time or memory bound, or a failed check. Not part of `make test`.
SOAK_ARGS ?=
soak: $(STAMP)
	$(PY) -m bench.soak $(SOAK_ARGS)

# Issue 15's "Teardown crashes" for every kind (bench/soak_teardown_crashes.py, pytest with the sandbox and real
# Celery workers): each worker SIGKILLs itself right after a node's vendor delete, once per node, until a teardown
# succeeds. Prints kind | node | objects | killed after delete | next run | duplicates | orphans; JSON in bench/results/.
# Fails unless every count is 0. Not part of `make test` (which keeps twilio_synthflow's: test_engine_teardown_crash).
SOAK_TEARDOWN_ARGS ?=
soak-teardown: $(STAMP)
	$(PY) -m pytest bench/soak_teardown_crashes.py -o python_functions="soak_*" -p no:cacheprovider -q -s \
		$(SOAK_TEARDOWN_ARGS)

# Issue 15's "Random faults" (bench/soak_faults.py, pytest with the sandbox and a real Celery worker): SOAK_RUNS seeded
# applies over the four kinds, each with 1-3 of the sandbox's faults (throttle burst, 5xx, latency, dropped connection,
# lost response) aimed at random steps of the kind's clean apply; the same SOAK_SEED injects the same faults. Prints
# kind | runs | converged | faults hit | node retries | p50/max seconds | needed a person | duplicates | orphans; JSON
# in bench/results/. Fails unless every run converged. Not part of `make test`.
SOAK_SEED ?= 1
SOAK_RUNS ?= 100
SOAK_FAULTS_ARGS ?=
soak-faults: $(STAMP)
	$(PY) -m pytest bench/soak_faults.py -p bench.fault_options -o python_functions="soak_*" -p no:cacheprovider -q -s \
		--seed $(SOAK_SEED) --runs $(SOAK_RUNS) $(SOAK_FAULTS_ARGS)

# Issue 15's "Dependencies restart" (bench/restarts.py): a Redis and a throwaway PostgreSQL cluster of its own on
# 127.0.0.1:23379 and :23432 (never the machine's), a real Celery worker on them, and for each kind an apply during
# which Redis, then PostgreSQL, is stopped for a few seconds and started again. The run must finish by itself with
# nothing duplicated, orphaned or lost. Needs redis-server and PostgreSQL's binaries. Not part of `make test`.
SOAK_RESTARTS_ARGS ?=
soak-restarts: $(STAMP)
	$(PY) -m bench.restarts $(SOAK_RESTARTS_ARGS)
