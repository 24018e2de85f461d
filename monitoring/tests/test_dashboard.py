"""The Grafana dashboard in deploy/grafana/ asks only for series /metrics serves."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from monitoring.tests.scrape import METRICS_TOKEN

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "patchbay.json"


@pytest.mark.django_db
def test_every_dashboard_query_names_a_served_metric(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = METRICS_TOKEN
    served = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}").content.decode()
    families = {re.sub(r"_total$", "", name) for name in re.findall(r"^# TYPE (\S+) ", served, flags=re.M)}
    dashboard = json.loads(DASHBOARD.read_text())

    asked = {
        re.sub(r"_(total|bucket|count|sum)$", "", name)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"patchbay_[a-z_]+", target["expr"])
    }

    assert asked - families == set()
    titles = {panel["title"] for panel in dashboard["panels"]}
    first_needed = (
        "Failing runs",
        "Vendor error rate",
        "Twilio webhook p99",
        "Integrations not healthy",
        "Reconcile lag",
    )
    for needed in first_needed:
        assert any(title.startswith(needed) for title in titles), needed
