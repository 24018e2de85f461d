"""moto in server mode, inside the sandbox's process: IAM, STS, DynamoDB, Lambda, CloudWatch Logs, ...

The sandbox forwards every AWS request whose service no stand-in serves to
moto's own WSGI dispatcher (the app `ThreadedMotoServer` builds), so moto's
backends live in this process and stand-ins can read them directly
(`Sandbox.moto_backend`). Configuration, per AWS.md §2:
- Lambda never tries Docker (`use_docker: False`): invoke answers without running code;
  the simulated call runs deployed code itself.
- IAM loads AWS managed policies, so `AWSLambdaBasicExecutionRole` attaches.
- STS AssumeRole checks the role's trust policy first (`trust_policy`), which moto skips.
- Every AWS request signed with an assumed-role session is checked against the
  role's identity policies (`identity_policy`), which moto skips too.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import re
from typing import Any
from urllib.parse import parse_qs, unquote

from werkzeug.test import run_wsgi_app
from werkzeug.wrappers import Request, Response

from sandbox.aws import identity_policy, trust_policy
from sandbox.aws.operation_names import protocol_of
from sandbox.aws.protocol_errors import aws_error
from sandbox.aws.request_authorizations import authorizations, request_params
from sandbox.core.vendor import LiveObject

logger = logging.getLogger(__name__)

#: regions of global services are partitions in moto 5 ("global" is accepted as "aws")
GLOBAL_REGION = "global"
#: AccessDenied per wire protocol: IAM/STS's `AccessDenied` (403, IAM API reference); the JSON
#: services' `AccessDeniedException` (400, AWS "Common Errors"); rest-json services model it as 403
#: (botocore's connect and chime-sdk-voice models)
_ACCESS_DENIED = {
    "query": (403, "AccessDenied"),
    "json": (400, "AccessDeniedException"),
    "rest-json": (403, "AccessDeniedException"),
}


def _account_id_from(access_key: str) -> str:
    """moto's `get_account_id_from`, looking only at IAM partitions that exist.

    moto 5.2.5 runs this on every request and touches all six partitions, which
    builds an IAM backend per partition, each loading ~1,600 AWS managed
    policies: 0.6 s on the first request after every reset. A partition that
    was never built has no access keys, so skipping it answers the same.
    """
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends

    for account_id, account in list(iam_backends.items()):
        for partition in list(account.keys()):
            if access_key in account[partition].access_keys:
                return account_id
    return DEFAULT_ACCOUNT_ID


def configure_moto() -> None:
    """Set moto's process-wide configuration before any backend is built."""
    from moto.core.config import default_user_config
    from moto.iam import models as iam_models

    default_user_config["lambda"] = {"use_docker": False}
    default_user_config["iam"] = {"load_aws_managed_policies": True}
    iam_models.get_account_id_from = _account_id_from


class MotoBridge:
    """moto's backends and server-mode app, plus the checks moto lacks."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        #: when False, AssumeRole skips the trust-policy check (moto's own behaviour)
        self.strict_sts_external_id = True
        #: when False, an assumed role may do anything (moto's own behaviour)
        self.strict_identity_policies = True
        configure_moto()

    @functools.cached_property
    def app(self) -> Any:
        """moto's WSGI dispatcher, built on first use (importing it costs ~0.5 s)."""
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        return DomainDispatcherApplication(create_backend_app)

    def backend(self, service: str, region: str) -> Any:
        """moto's backend object for a service in the sandbox account (region "global" for IAM/STS)."""
        if service == "lambda":
            # moto swaps Lambda's backend class when Docker is off; ask it which one it uses.
            from moto.awslambda.utils import get_backend as lambda_backend

            return lambda_backend(self.account_id, "aws" if region == GLOBAL_REGION else region)
        from moto.backends import get_backend

        return get_backend(service)[self.account_id][region]  # type: ignore[call-overload]

    def forward(self, environ: dict[str, Any], body: bytes) -> Response:
        """Run one request through moto and return its answer."""
        env = dict(environ)
        env["wsgi.input"] = io.BytesIO(body)
        env["CONTENT_LENGTH"] = str(len(body))
        app_iter, status, headers = run_wsgi_app(self.app, env, buffered=True)
        return Response(app_iter, status=status, headers=headers)

    def refuse_assume_role(self, access_key: str, region: str, body: bytes) -> Response | None:
        """STS's AccessDenied when the role's trust policy refuses this AssumeRole, else None."""
        if not self.strict_sts_external_id:
            return None
        from moto.iam.exceptions import NotFoundException as IAMNotFoundException

        form = parse_qs(body.decode("utf-8", "replace"))
        role_arn = (form.get("RoleArn") or [""])[0]
        external_id = (form.get("ExternalId") or [""])[0] or None
        _, caller_arn, _ = self.backend("sts", GLOBAL_REGION).get_caller_identity(access_key, region)
        try:
            role = self.backend("iam", GLOBAL_REGION).get_role_by_arn(role_arn)
        except IAMNotFoundException:
            role = None  # AWS answers a missing role with the same AccessDenied
        if role is not None:
            policy = trust_policy.parse_policy(role.assume_role_policy_document)
            if trust_policy.allows_assume_role(policy, external_id):
                return None
        message = trust_policy.access_denied_message(caller_arn, role_arn)
        return aws_error(protocol_of("sts"), 403, "AccessDenied", message)

    def refuse_duplicate_statement(self, region: str, path: str, body: bytes) -> Response | None:
        """Lambda's ResourceConflictException for an AddPermission whose StatementId the function's
        policy already holds, else None. moto adds a second statement; Lambda refuses (botocore's
        lambda model: AddPermission's errors include ResourceConflictException, "The resource
        already exists"; the Lambda API reference, AddPermission: "The statement id (...) provided
        already exists. Please provide a new statement id, or remove the existing statement.")."""
        match = re.match(r"^/2015-03-31/functions/([^/]+)/policy/?$", path)
        try:
            statement_id = str(json.loads(body or b"{}").get("StatementId", ""))
        except ValueError:
            return None
        if match is None or not statement_id:
            return None
        name = unquote(match.group(1))
        try:
            # GetPolicy's wire format: {"Policy": "<the policy document as a JSON string>", ...}
            policy = json.loads(json.loads(self.backend("lambda", region).get_policy(name))["Policy"])
        except Exception:  # no such function, or no policy yet: moto answers as Lambda does
            return None
        if not any(s.get("Sid") == statement_id for s in policy.get("Statement", [])):
            return None
        message = (
            f"The statement id ({statement_id}) provided already exists. Please provide a new "
            "statement id, or remove the existing statement."
        )
        return aws_error(protocol_of("lambda"), 409, "ResourceConflictException", message)

    def refuse_unauthorized(
        self, access_key: str, region: str, service: str, operation: str, request: Request
    ) -> tuple[int, str, str] | None:
        """(status, code, message) of AWS's AccessDenied when the caller's role may not do this, else None.

        Only requests signed with an assumed-role session are checked; sts:GetCallerIdentity needs
        no permission (STS API reference).
        """
        if not self.strict_identity_policies or (service, operation) == ("sts", "GetCallerIdentity"):
            return None
        session = self.backend("sts", GLOBAL_REGION).get_assumed_role_from_access_key(access_key)
        if session is None:
            return None
        role_name = session.role_arn.split("/")[-1]
        documents = identity_policy.role_policies(self.backend("iam", GLOBAL_REGION), role_name) or []
        params = request_params(service, request, request.get_data(cache=True))
        for need in authorizations(service, operation, params, region, self.account_id):
            outcome = identity_policy.decide(documents, need)
            if outcome != identity_policy.ALLOW:
                status, code = _ACCESS_DENIED.get(protocol_of(service), _ACCESS_DENIED["rest-json"])
                return status, code, identity_policy.access_denied_message(session.arn, need, outcome)
        return None

    def reset(self) -> None:
        """Forget every moto resource in every service, as moto's `/moto-api/reset` does.

        moto's own reset first re-initialises every backend it is about to drop
        (for IAM: six partitions, each with ~1,600 managed policies, 0.8 s); with Docker
        off nothing needs that clean-up, so the backends are simply dropped.
        """
        from moto.core.base_backend import BackendDict, backend_lock
        from moto.core.model_instances import reset_model_data

        with backend_lock:
            for backend_dict in BackendDict._instances:  # type: ignore[misc]
                backend_dict.clear()
            BackendDict._instances.clear()  # type: ignore[misc]
        reset_model_data()

    def _loaded_regions(self, service: str) -> list[str]:
        if service == "lambda":
            from moto.awslambda_simple.models import lambda_simple_backends

            return list(lambda_simple_backends[self.account_id].keys())
        from moto.backends import get_backend

        return list(get_backend(service)[self.account_id].keys())  # type: ignore[call-overload]

    def live_objects(self) -> list[LiveObject]:
        """The moto-owned objects Patchbay creates: IAM roles, DynamoDB tables, Lambda functions,
        Connect instances."""
        objects: list[LiveObject] = []
        iam = self.backend("iam", GLOBAL_REGION)
        objects += [LiveObject("aws", "iam.role", role.arn, role.name) for role in iam.roles.values()]
        for region in self._loaded_regions("dynamodb"):
            tables = self.backend("dynamodb", region).tables.values()
            objects += [LiveObject("aws", "dynamodb.table", t.table_arn, t.name) for t in tables]
        for region in self._loaded_regions("lambda"):
            # moto keeps functions by name in LambdaStorage._functions (moto 5.2.5); "latest" is $LATEST.
            groups = self.backend("lambda", region)._lambdas._functions.values()
            functions = [group["latest"] for group in groups]
            objects += [
                LiveObject("aws", "lambda.function", f.function_arn, f.function_name) for f in functions
            ]
        for region in self._loaded_regions("connect"):
            instances = self.backend("connect", region).instances.values()
            objects += [
                LiveObject("aws", "connect.instance", i.arn, i.instance_alias or "", i.instance_status)
                for i in instances
            ]
        return objects
