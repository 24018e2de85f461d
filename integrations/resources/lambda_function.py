"""`aws.lambda_function`: one of Patchbay's own Lambda functions, deployed from its deterministic zip."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.lambdas.package import build_package
from integrations.resources.adoption import converge
from integrations.resources.waiting import wait_for
from integrations.vendors.aws.lambda_ import Function, FunctionSettings, Lambda
from integrations.vendors.errors import Conflict, InvalidSpec, VendorUnavailable

# A new IAM role takes seconds to propagate in real AWS; until then CreateFunction answers
# InvalidParameterValueException with this message (AWS Lambda docs, "troubleshooting deployment").
_ROLE_NOT_READY = "cannot be assumed by Lambda"
_CONFIG_FIELDS = ("role_arn", "runtime", "timeout", "memory", "environment")


def _observed(function: Function, package: str) -> dict[str, Any]:
    """A function's configuration in the spec's own terms."""
    handler_module = function.handler.split(".", 1)[0]
    ours = build_package(package)
    if handler_module == package and function.code_sha256 == ours.code_sha256:
        deployed = package
    else:
        # Code that is not our current build of the package: say what is there instead.
        deployed = f"{handler_module} (CodeSha256 {function.code_sha256})"
    return {
        "package": deployed,
        "role_arn": function.role,
        "runtime": function.runtime,
        "timeout": function.timeout,
        "memory": function.memory,
        "environment": function.environment,
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


def _settings(spec: dict[str, Any]) -> FunctionSettings:
    """The configuration of CreateFunction / UpdateFunctionConfiguration for a spec."""
    return FunctionSettings(
        role=spec["role_arn"],
        runtime=spec["runtime"],
        handler=build_package(spec["package"]).handler,
        timeout=int(spec["timeout"]),
        memory=int(spec["memory"]),
        environment=dict(spec.get("environment") or {}),
    )


class LambdaFunction(ResourceType):
    """A Lambda function running a Patchbay package; code drift is found by CodeSha256."""

    type_name = "aws.lambda_function"
    account_kind = "aws"
    name_max_length = 64  # Lambda FunctionName limit (name only)

    def _name(self, ctx: NodeContext) -> str:
        return ctx.external_id or ctx.external_name

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the function's configuration and compare its code hash with our build."""
        function = Lambda(ctx.clients.aws).function(self._name(ctx))
        if function is None:
            return Observation(exists=False)
        diff = spec_diff(ctx.spec, _observed(function, ctx.spec["package"]))
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={"arn": function.arn, "name": function.name, "code_sha256": function.code_sha256},
            external_id=function.name,
        )

    def _wait_settled(self, functions: Lambda, name: str) -> Function:
        """Wait until the function is Active and no update is in progress (Lambda refuses updates before)."""
        function = wait_for(
            lambda: functions.configuration(name),
            lambda f: f.settled,
            what=f"Lambda function {name}",
        )
        if function.failed:
            reason = function.last_update_status_reason or function.state_reason or "no reason given"
            raise InvalidSpec(f"Lambda function {name} failed to deploy: {reason}", vendor="aws")
        return function

    def create(self, ctx: NodeContext) -> str:
        """Create the function from our zip (or adopt ours), wait for it to be Active."""
        functions = Lambda(ctx.clients.aws)
        name = ctx.external_name
        package = build_package(ctx.spec["package"])
        # ResourceConflictException (Conflict) "Function already exist": ours by name; adopt it.
        with contextlib.suppress(Conflict), _role_may_still_propagate():
            functions.create_function(name, package.zip_bytes, _settings(ctx.spec))
        self._wait_settled(functions, name)
        return converge(self, ctx, name)

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Deploy our zip when the code drifted; put the configuration back when it did."""
        functions = Lambda(ctx.clients.aws)
        name = self._name(ctx)
        self._wait_settled(functions, name)
        if "package" in diff:
            functions.update_function_code(name, build_package(ctx.spec["package"]).zip_bytes)
            self._wait_settled(functions, name)
        if "package" in diff or any(field in diff for field in _CONFIG_FIELDS):
            with _role_may_still_propagate():
                functions.update_function_configuration(name, _settings(ctx.spec))
            self._wait_settled(functions, name)

    def delete(self, ctx: NodeContext) -> None:
        """Delete the function; already gone is done."""
        Lambda(ctx.clients.aws).delete_function(self._name(ctx))
