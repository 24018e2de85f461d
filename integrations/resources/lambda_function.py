"""`aws.lambda_function`: one of Patchbay's own Lambda functions, deployed from its deterministic zip."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.lambdas.package import build_package
from integrations.resources.adoption import converge
from integrations.resources.waiting import wait_for
from integrations.vendors.aws import AwsSession
from integrations.vendors.errors import Conflict, InvalidSpec, NotFound, VendorUnavailable

# A new IAM role takes seconds to propagate in real AWS; until then CreateFunction answers
# InvalidParameterValueException with this message (AWS Lambda docs, "troubleshooting deployment").
_ROLE_NOT_READY = "cannot be assumed by Lambda"
_CONFIG_FIELDS = ("role_arn", "runtime", "timeout", "memory", "environment")


def _observed(config: dict[str, Any], package: str) -> dict[str, Any]:
    """A function's configuration in the spec's own terms."""
    handler_module = str(config.get("Handler", "")).split(".", 1)[0]
    ours = build_package(package)
    if handler_module == package and config.get("CodeSha256") == ours.code_sha256:
        deployed = package
    else:
        # Code that is not our current build of the package: say what is there instead.
        deployed = f"{handler_module} (CodeSha256 {config.get('CodeSha256')})"
    return {
        "package": deployed,
        "role_arn": config.get("Role"),
        "runtime": config.get("Runtime"),
        "timeout": config.get("Timeout"),
        "memory": config.get("MemorySize"),
        "environment": (config.get("Environment") or {}).get("Variables") or {},
    }


@contextlib.contextmanager
def _role_may_still_propagate() -> Iterator[None]:
    """Turn Lambda's "role cannot be assumed" refusal into a retryable error."""
    try:
        yield
    except InvalidSpec as error:
        if _ROLE_NOT_READY in str(error):
            raise VendorUnavailable(str(error), vendor="aws", request_id=error.request_id) from None
        raise


def _configuration(spec: dict[str, Any]) -> dict[str, Any]:
    """The configuration members of CreateFunction / UpdateFunctionConfiguration for a spec."""
    return {
        "Role": spec["role_arn"],
        "Runtime": spec["runtime"],
        "Handler": build_package(spec["package"]).handler,
        "Timeout": int(spec["timeout"]),
        "MemorySize": int(spec["memory"]),
        "Environment": {"Variables": dict(spec.get("environment") or {})},
    }


def _settled(config: dict[str, Any]) -> bool:
    return config.get("State") != "Pending" and config.get("LastUpdateStatus") != "InProgress"


class LambdaFunction(ResourceType):
    """A Lambda function running a Patchbay package; code drift is found by CodeSha256."""

    type_name = "aws.lambda_function"
    account_kind = "aws"
    name_max_length = 64  # Lambda FunctionName limit (name only)

    def _name(self, ctx: NodeContext) -> str:
        return ctx.external_id or ctx.external_name

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the function's configuration and compare its code hash with our build."""
        aws: AwsSession = ctx.clients.aws
        try:
            config = aws.call("lambda", "get_function", FunctionName=self._name(ctx))["Configuration"]
        except NotFound:
            return Observation(exists=False)
        diff = spec_diff(ctx.spec, _observed(config, ctx.spec["package"]))
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={
                "arn": config["FunctionArn"],
                "name": config["FunctionName"],
                "code_sha256": config["CodeSha256"],
            },
            external_id=config["FunctionName"],
        )

    def _wait_settled(self, aws: AwsSession, name: str) -> dict[str, Any]:
        """Wait until the function is Active and no update is in progress (Lambda refuses updates before)."""
        config = wait_for(
            lambda: aws.call("lambda", "get_function_configuration", FunctionName=name),
            _settled,
            what=f"Lambda function {name}",
        )
        if config.get("State") == "Failed" or config.get("LastUpdateStatus") == "Failed":
            reason = config.get("LastUpdateStatusReason") or config.get("StateReason") or "no reason given"
            raise InvalidSpec(f"Lambda function {name} failed to deploy: {reason}", vendor="aws")
        return config

    def create(self, ctx: NodeContext) -> str:
        """Create the function from our zip (or adopt ours), wait for it to be Active."""
        aws: AwsSession = ctx.clients.aws
        name = ctx.external_name
        package = build_package(ctx.spec["package"])
        # ResourceConflictException (Conflict) "Function already exist": ours by name; adopt it.
        with contextlib.suppress(Conflict), _role_may_still_propagate():
            aws.call(
                "lambda",
                "create_function",
                create=True,
                FunctionName=name,
                Code={"ZipFile": package.zip_bytes},
                Description="Patchbay",
                Publish=False,
                **_configuration(ctx.spec),
            )
        self._wait_settled(aws, name)
        return converge(self, ctx, name)

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Deploy our zip when the code drifted; put the configuration back when it did."""
        aws: AwsSession = ctx.clients.aws
        name = self._name(ctx)
        self._wait_settled(aws, name)
        if "package" in diff:
            package = build_package(ctx.spec["package"])
            aws.call("lambda", "update_function_code", FunctionName=name, ZipFile=package.zip_bytes)
            self._wait_settled(aws, name)
        if "package" in diff or any(field in diff for field in _CONFIG_FIELDS):
            with _role_may_still_propagate():
                aws.call(
                    "lambda", "update_function_configuration", FunctionName=name, **_configuration(ctx.spec)
                )
            self._wait_settled(aws, name)

    def delete(self, ctx: NodeContext) -> None:
        """Delete the function; already gone is done."""
        aws: AwsSession = ctx.clients.aws
        with contextlib.suppress(NotFound):
            aws.call("lambda", "delete_function", FunctionName=self._name(ctx))
