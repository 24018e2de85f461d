"""The files that run Patchbay outside Python: docker-compose.yml, Dockerfile, Makefile, .ci/run, README.

No Docker engine runs here, so the compose file is checked the way `docker
compose config` would read it: structure, interpolation with defaults, and
references between services.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = {"web", "worker", "beat"}
# Variables every deployment sets (DESIGN §8 "Other settings").
DEPLOYMENT_SETTINGS = {
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "FERNET_KEYS",
    "ALLOWED_HOSTS",
    "PUBLIC_BASE_URL",
}
# What `docker compose` refuses to start without (settings.py would refuse their defaults anyway).
REQUIRED_IN_COMPOSE = {
    "SECRET_KEY",
    "FERNET_KEYS",
    "PATCHBAY_AWS_ACCOUNT_ID",
    "PUBLIC_BASE_URL",
    "ALLOWED_HOSTS",
}
# `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`.
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}")


def compose() -> dict:
    """docker-compose.yml as YAML (anchors and merge keys resolved, as compose does)."""
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_web_worker_beat_postgres_and_redis() -> None:
    services = compose()["services"]

    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert services["web"]["command"][0] == "gunicorn"
    assert services["web"]["command"][1] == "controlplane.wsgi:application"
    assert services["worker"]["command"][:4] == ["celery", "-A", "controlplane", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "controlplane", "beat"]
    assert "8000:8000" in services["web"]["ports"]


def test_compose_wires_every_deployment_setting_into_the_app_services() -> None:
    services = compose()["services"]

    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert set(environment) >= DEPLOYMENT_SETTINGS, name
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert "@postgres:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"].startswith("redis://redis:6379/")
        assert services[name]["build"] == "."


def test_compose_starts_apps_after_healthy_databases_and_migrations() -> None:
    services = compose()["services"]

    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert "manage.py migrate --no-input" in " ".join(services["migrate"]["command"])
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown service {dependency}"
    assert "healthcheck" in services["postgres"]
    assert "healthcheck" in services["redis"]


def test_compose_requires_the_deployment_secrets_and_defaults_the_rest() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    operators = {match["name"]: match["op"] for match in INTERPOLATION.finditer(text)}

    # Production shape: no public default key, no example account, no guessed address.
    for name in REQUIRED_IN_COMPOSE:
        assert operators.get(name) == ":?", f"${{{name}}} must be required (${{{name}:?message}})"
    for name, op in operators.items():
        if name not in REQUIRED_IN_COMPOSE:
            assert op in (":-", "-"), f"${{{name}}} has no default"
    assert "$" not in INTERPOLATION.sub("", text).replace("$$", "")


def test_compose_volumes_are_declared() -> None:
    document = compose()
    declared = set(document.get("volumes", {}))

    for service in document["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared


def test_dockerfile_installs_the_pinned_requirements_on_python_311() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert dockerfile.splitlines()[1] == "FROM python:3.11-slim"
    assert "COPY requirements.txt" in dockerfile
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert "\nUSER " in dockerfile


def test_makefile_has_every_documented_target() -> None:
    result = subprocess.run(
        ["make", "-pn", "-f", "Makefile", "venv"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    targets = set(re.findall(r"^([a-z][a-z-]*):", result.stdout, re.MULTILINE))

    assert {"run", "test", "lint", "format", "bench", "sandbox", "audit", "soak"} <= targets


def test_ci_script_is_valid_bash_that_runs_make_test_against_postgres_and_redis() -> None:
    script = ROOT / ".ci" / "run"
    syntax = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    text = script.read_text()

    assert syntax.returncode == 0, syntax.stderr
    assert script.stat().st_mode & 0o111
    assert "set -euo pipefail" in text
    assert "postgres://postgres@127.0.0.1:5432/test" in text
    assert "redis://127.0.0.1:6379/0" in text
    assert "make test" in text


def test_readme_documents_every_setting_read_from_the_environment() -> None:
    settings_source = (ROOT / "controlplane" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    names = set(re.findall(r"env\.\w+\(\s*\"([A-Z][A-Z0-9_]+)\"", settings_source))

    assert len(names) > 20
    undocumented = sorted(name for name in names if f"| `{name}` |" not in readme)
    assert not undocumented, f"add these settings to README.md's settings table: {undocumented}"
