"""connect_vapi's deployed Lambda functions as the checks read them: one GetFunction per function per run.

Several checks look at the same function (the `x-amzn` header check reads both functions' environment,
the HANGUP check the SMA handler's code hash); `CheckContext.memo` keeps the one answer they share.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import CheckSkipped
from integrations.lambdas.package import build_package
from integrations.models import ResourceNode
from integrations.vendors.aws.lambda_ import Lambda

LAMBDA_TYPE = "aws.lambda_function"


@dataclass(frozen=True)
class DeployedFunction:
    """What Lambda answered for one of the integration's functions (`exists=False`: it is gone)."""

    node: str
    name: str
    package: str
    exists: bool
    handler: str = ""
    code_sha256: str = ""
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def is_ours(self) -> bool:
        """The deployed code is byte for byte the zip Patchbay builds for its package."""
        ours = build_package(self.package)
        return self.exists and self.handler == ours.handler and self.code_sha256 == ours.code_sha256


def function_node(ctx: CheckContext, node_name: str) -> ResourceNode | None:
    """The provisioned Lambda node of the blueprint named `node_name` (two nodes share the type)."""
    return next((n for n in ctx.nodes if n.node == node_name and n.type == LAMBDA_TYPE), None)


def deployed_function(ctx: CheckContext, node_name: str, package: str, what: str) -> DeployedFunction:
    """The function behind `node_name`, read once per run; a skip when it was never provisioned."""
    node = function_node(ctx, node_name)
    if node is None or not node.external_id:
        raise CheckSkipped(f"The {what} is not provisioned yet: apply the integration first.")
    key = f"lambda:{node.external_id}"
    if key not in ctx.memo:
        function = Lambda(ctx.clients.aws).function(node.external_id)
        if function is None:
            ctx.memo[key] = DeployedFunction(node_name, node.external_id, package, exists=False)
        else:
            ctx.memo[key] = DeployedFunction(
                node_name,
                node.external_id,
                package,
                exists=True,
                handler=function.handler,
                code_sha256=function.code_sha256,
                environment=dict(function.environment),
            )
    return ctx.memo[key]
