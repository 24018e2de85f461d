"""connect_vapi: the connect handler Lambda must be associated with the Amazon Connect instance.

A contact flow can only invoke functions associated with its instance
(ListLambdaFunctions, AWS.md §4.3); without the association the flow's
"Invoke AWS Lambda function" block takes its error branch, the caller's
attributes are never stored, and no x- headers reach Vapi.
"""

from __future__ import annotations

from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import CheckSkipped, Finding
from integrations.diagnostics.lambda_config import function_node
from integrations.vendors.aws.connect import Connect
from integrations.vendors.errors import NotFound


class LambdaAssociatedWithConnect(Check):
    name = "lambda-associated"
    title = "Connect handler Lambda associated with the Connect instance"
    kinds = (IntegrationKind.CONNECT_VAPI,)
    fix = "Apply the integration: Patchbay associates the connect handler with the instance again."

    def evaluate(self, ctx: CheckContext) -> Finding:
        node = function_node(ctx, "connect_lambda")
        arn = str(node.outputs.get("arn") or "") if node is not None else ""
        if not arn:
            raise CheckSkipped("The connect handler Lambda is not provisioned yet: apply the integration.")
        instance_id = str(ctx.config.get("connect_instance_id") or "")
        if not instance_id:
            raise CheckSkipped("The integration names no Connect instance.")
        try:
            associated = Connect(ctx.clients.aws).lambda_functions(instance_id)
        except NotFound:
            return self.problem(
                f"The Connect instance {instance_id} does not exist in the AWS account: no flow can invoke "
                "the connect handler.",
                evidence=f"ListLambdaFunctions {instance_id}: not found",
                fix="Correct connect_instance_id in the integration's configuration, then apply.",
            )
        evidence = f"instance {instance_id}: {len(associated)} associated function(s); expected {arn}"
        if arn not in associated:
            return self.problem(
                "The connect handler Lambda is not associated with the Connect instance: the contact "
                "flow's Invoke AWS Lambda block fails, so no caller attributes reach Vapi.",
                evidence,
            )
        return self.ok(f"The Connect instance {instance_id} may invoke the connect handler.", evidence)
