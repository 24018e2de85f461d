"""The few API calls the command line makes, and their errors as one line each."""

from __future__ import annotations

from typing import Any

import requests

API_PREFIX = "/api/v1"
#: seconds to wait for one answer; a dry run observes every declared integration at its vendors
TIMEOUT = 120


class CliError(Exception):
    """An error to print as one line (exit status 1)."""


def _describe(response: requests.Response) -> str:
    """The API's error in one line: its `detail` (which names the first bad field), else the status."""
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) else None
    status = f"HTTP {response.status_code} {response.reason or ''}".strip()
    if isinstance(detail, str) and detail:
        return f"{status}: {' '.join(detail.split())}"
    return status


class Client:
    """A Patchbay server reached with a token (`Authorization: Token <key>`)."""

    def __init__(self, url: str, token: str) -> None:
        if not url:
            raise CliError("no server: give --url or set PATCHBAY_URL")
        if not token:
            raise CliError("no token: give --token or set PATCHBAY_TOKEN")
        base = url.rstrip("/")
        if base.endswith(API_PREFIX):
            base = base[: -len(API_PREFIX)]
        self.base = base + API_PREFIX
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One call; any answer other than 2xx, or none at all, is a `CliError`."""
        url = f"{self.base}/{path.lstrip('/')}"
        try:
            response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as error:
            raise CliError(f"cannot reach {self.base}: {type(error).__name__}") from None
        if response.status_code >= 400:
            raise CliError(_describe(response))
        return response

    def declare(self, body: str, *, dry_run: bool, prune: bool) -> dict[str, Any]:
        """POST the declarations (a YAML stream) to `integrations/declare/`."""
        params = {"dry_run": str(dry_run).lower(), "prune": str(prune).lower()}
        response = self.request(
            "POST",
            "integrations/declare/",
            params=params,
            data=body.encode(),
            headers={"Content-Type": "application/yaml; charset=utf-8", "Accept": "application/json"},
        )
        return response.json()

    def integration_id(self, name: str) -> str:
        """The id of the tenant's integration called `name`."""
        found = self.request("GET", "integrations/", params={"name": name}).json().get("results", [])
        if not found:
            raise CliError(f"no integration named {name!r}")
        return str(found[0]["id"])

    def export(self, name: str, media_type: str) -> str:
        """The integration's declaration, as the server writes it in `media_type`."""
        path = f"integrations/{self.integration_id(name)}/export/"
        return self.request("GET", path, headers={"Accept": media_type}).text

    def run(self, run_id: str) -> dict[str, Any]:
        """A run with its state, progress and events."""
        return self.request("GET", f"runs/{run_id}/").json()
