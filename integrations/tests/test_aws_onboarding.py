"""AWS onboarding: external id and policies before the role ARN; a CloudFormation template (issue 11, 6)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from integrations.aws_onboarding import cloudformation_template
from integrations.aws_permissions import permission_policy
from integrations.models import ProviderAccount
from tenants.choices import Role
from testing.world import TenantWorld

NEW_AWS = reverse("integrations:account-new") + "?kind=aws"


@pytest.fixture
def operator(world: TenantWorld, dashboard_client: Callable[[Any], Client]) -> Client:
    return dashboard_client(world.users[Role.OPERATOR])


def _shown_external_id(page: str) -> str:
    match = re.search(r'data-testid="onboarding-external-id">([^<]+)</pre>', page)
    assert match, "no external id on the page"
    return match.group(1)


def test_the_new_aws_account_page_shows_the_external_id_and_policies_before_the_role_arn(
    operator: Client,
) -> None:
    page = operator.get(NEW_AWS).content.decode()

    external_id = _shown_external_id(page)
    assert re.fullmatch(r"[0-9a-f]{48}", external_id)
    trust = json.loads(
        unescape(re.search(r'data-testid="onboarding-trust-policy">(.*?)</pre>', page, re.S).group(1))
    )
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": external_id}}
    permissions = json.loads(
        unescape(re.search(r'data-testid="onboarding-permission-policy">(.*?)</pre>', page, re.S).group(1))
    )
    assert permissions == permission_policy("*")
    # The steps come first; the role ARN is asked for after them.
    assert page.index("onboarding-external-id") < page.index('name="settings.role_arn"')
    assert page.index("Download CloudFormation template") < page.index('name="settings.role_arn"')


def test_the_account_saved_keeps_the_external_id_the_page_showed(
    world: TenantWorld, operator: Client
) -> None:
    page = operator.get(NEW_AWS).content.decode()
    external_id = _shown_external_id(page)
    token = re.search(r'name="external_id_token" value="([^"]+)"', page).group(1)
    form = {"name": "prod aws", "external_id_token": token, "settings.region": "us-east-1"}

    missing_arn = operator.post(NEW_AWS, form).content.decode()
    assert _shown_external_id(missing_arn) == external_id  # sent back with an error: same id

    operator.post(NEW_AWS, {**form, "settings.role_arn": "arn:aws:iam::123456789012:role/patchbay-access"})

    assert ProviderAccount.objects.get(name="prod aws").external_id == external_id


def test_a_forged_token_gets_a_fresh_external_id(operator: Client) -> None:
    form = {
        "name": "prod aws",
        "external_id_token": "forged",
        "settings.region": "us-east-1",
        "settings.role_arn": "arn:aws:iam::123456789012:role/patchbay-access",
    }

    operator.post(NEW_AWS, form)

    assert re.fullmatch(r"[0-9a-f]{48}", ProviderAccount.objects.get(name="prod aws").external_id)


def test_the_template_download_creates_the_role_with_both_policies(operator: Client) -> None:
    page = operator.get(NEW_AWS).content.decode()
    external_id = _shown_external_id(page)
    url = unescape(re.search(r'href="([^"]+)" download data-testid="download-role-template"', page).group(1))

    response = operator.get(url)
    forged = operator.get(reverse("integrations:aws-role-template") + "?token=nope")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    template = json.loads(response.content)
    role = template["Resources"]["PatchbayRole"]["Properties"]
    assert template["Parameters"]["ExternalId"]["Default"] == external_id
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    actions = sorted(a for s in role["Policies"][0]["PolicyDocument"]["Statement"] for a in s["Action"])
    assert actions == sorted(a for s in permission_policy()["Statement"] for a in s["Action"])
    assert template["Outputs"]["RoleArn"]["Value"] == {"Fn::GetAtt": ["PatchbayRole", "Arn"]}
    assert forged.status_code == 404


def test_an_aws_account_page_offers_its_template(world: TenantWorld, operator: Client) -> None:
    account = ProviderAccount(
        tenant=world.tenant,
        name="aws",
        kind="aws",
        settings={"role_arn": "arn:aws:iam::123456789012:role/x", "region": "us-east-1"},
    )
    account.save()

    response = operator.get(reverse("integrations:account-role-template", args=[account.pk]))

    assert json.loads(response.content)["Parameters"]["ExternalId"]["Default"] == account.external_id


def test_cfn_lint_accepts_the_template(tmp_path: Path) -> None:
    path = tmp_path / "patchbay-role.template.json"
    path.write_text(json.dumps(cloudformation_template("0123456789abcdef0123456789abcdef0123456789abcdef")))

    lint = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), "--regions", "us-east-1", "--", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert lint.returncode == 0, lint.stdout + lint.stderr
