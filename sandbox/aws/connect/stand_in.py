"""The Amazon Connect stand-in (SigV4 signing name `connect`): only what moto lacks.

moto serves Connect instances (create/describe/list/delete, AWS.md §2); this
stand-in serves the instance's Lambda associations, contact flows and claimed
phone numbers, validated against botocore's `connect` model (2017-08-08).
`route()` answers None for every other request, and the dispatcher hands it
to moto.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

from werkzeug.wrappers import Request, Response

from sandbox.aws import flow_language
from sandbox.aws.connect import contact_flows, instance_links
from sandbox.aws.connect.state import ConnectState
from sandbox.aws.model_stand_in import Handler, ModelBackedStandIn
from sandbox.core.vendor import LiveObject

_HANDLERS = {
    "AssociateLambdaFunction": instance_links.associate_lambda_function,
    "DisassociateLambdaFunction": instance_links.disassociate_lambda_function,
    "ListLambdaFunctions": instance_links.list_lambda_functions,
    "CreateContactFlow": contact_flows.create_contact_flow,
    "DescribeContactFlow": contact_flows.describe_contact_flow,
    "ListContactFlows": contact_flows.list_contact_flows,
    "UpdateContactFlowContent": contact_flows.update_contact_flow_content,
    "UpdateContactFlowName": contact_flows.update_contact_flow_name,
    "UpdateContactFlowMetadata": contact_flows.update_contact_flow_metadata,
    "DeleteContactFlow": contact_flows.delete_contact_flow,
    "ClaimPhoneNumber": instance_links.claim_phone_number,
    "ListPhoneNumbersV2": instance_links.list_phone_numbers_v2,
    "DescribePhoneNumber": instance_links.describe_phone_number,
    "ReleasePhoneNumber": instance_links.release_phone_number,
    "AssociatePhoneNumberContactFlow": instance_links.associate_phone_number_contact_flow,
    "DisassociatePhoneNumberContactFlow": instance_links.disassociate_phone_number_contact_flow,
    "ListFlowAssociations": instance_links.list_flow_associations,
}


class ConnectStandIn(ModelBackedStandIn):
    """Amazon Connect's flows, Lambda associations and numbers, next to moto's instances."""

    signing_name = "connect"
    service_name = "connect"
    # UNCONFIRMED which exception Connect answers for a model constraint; see sandbox/README.md
    validation_error = "InvalidParameterException"
    throttling_error = "ThrottlingException"
    tunables: ClassVar[tuple[str, ...]] = ("accept_documented_timeout_key",)
    #: re-associating an associated Lambda → ResourceConflictException (else success); UNCONFIRMED
    strict_lambda_reassociation: bool = True
    #: flow actions of types outside the known list are refused
    strict_flow_action_types: bool = True
    #: deleting a flow a phone number routes to is refused
    strict_flow_delete_in_use: bool = True
    #: Transfer may spell its timeout ThirdPartyConnectionTimeoutSeconds (the API reference's spelling)
    accept_documented_timeout_key: bool = True
    #: flow content is kept rewritten as Connect saves it, not as sent (flow_language.as_saved)
    strict_rewrite_on_save: bool = True
    state: ConnectState

    def new_state(self) -> ConnectState:
        return ConnectState()

    def handlers(self) -> dict[str, Handler]:
        return {name: functools.partial(function, self) for name, function in _HANDLERS.items()}

    def unmatched(self, request: Request) -> Response | None:
        return None  # moto's, or moto's own 404

    def extra_rules(self) -> list[str]:
        return contact_flows.RULES + instance_links.RULES + flow_language.RULES

    def live_objects(self) -> list[LiveObject]:
        objects = [LiveObject("aws", "connect.ContactFlow", f.id, f.name) for f in self.state.flows.values()]
        for arns in self.state.lambdas.values():
            objects += [
                LiveObject("aws", "connect.LambdaAssociation", arn, arn.split(":")[6]) for arn in arns
            ]
        objects += [
            LiveObject("aws", "connect.PhoneNumber", n.e164, n.description, "routed" if n.flow_id else "")
            for n in self.state.numbers.values()
        ]
        return objects

    def claim_phone_number(self, instance_id: str, e164: str, region: str = "us-east-1") -> dict[str, Any]:
        """Claim a number for an instance (for the control API's AWS accounts): its id, ARN and number."""
        number = instance_links.claim(self, region, instance_id, e164)
        return {"phone_number_id": number.id, "phone_number_arn": number.arn, "phone_number": number.e164}

    def contact_flow_for_number(self, e164: str) -> dict[str, Any] | None:
        """The flow (as DescribeContactFlow shows it) a call to this Connect number runs, or None."""
        number = next((n for n in self.state.numbers.values() if n.e164 == e164), None)
        if number is None or number.flow_id is None or number.flow_id not in self.state.flows:
            return None
        return self.state.flows[number.flow_id].as_shape()
