"""What a check reads: the integration, its provisioned nodes (by resource type), its vendor clients."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from integrations.diagnostics.findings import CheckSkipped
from integrations.kinds import get_kind
from integrations.models import Integration, ResourceNode
from integrations.models.engine import NodeStatus
from integrations.vendors.clients import VendorClients, clients_for


class CheckContext:
    """One integration as the checks see it; vendor clients are built once and shared by every check."""

    def __init__(self, integration: Integration) -> None:
        self.integration = integration
        self.config: dict[str, Any] = dict(integration.config or {})
        #: vendor reads shared by several checks (e.g. the Synthflow number), keyed by what was read
        self.memo: dict[str, Any] = {}

    @cached_property
    def nodes(self) -> list[ResourceNode]:
        """The integration's nodes that exist at their vendor."""
        return list(
            ResourceNode.objects.filter(integration=self.integration).exclude(
                status__in=[NodeStatus.PENDING, NodeStatus.DELETED]
            )
        )

    @cached_property
    def clients(self) -> VendorClients:
        accounts = {
            kind: self.integration.account(kind) for kind in get_kind(self.integration.kind).required_accounts
        }
        return clients_for({kind: account for kind, account in accounts.items() if account is not None})

    def node_of_type(self, type_name: str) -> ResourceNode | None:
        """The (first) provisioned node of a resource type, found by type so any blueprint's naming works."""
        return next((n for n in self.nodes if n.type == type_name), None)

    def require(self, type_name: str, what: str) -> ResourceNode:
        """The node of `type_name` with an external id, or a skip saying `what` is not provisioned yet."""
        node = self.node_of_type(type_name)
        if node is None or not node.external_id:
            raise CheckSkipped(f"The {what} is not provisioned yet: apply the integration first.")
        return node

    def account_setting(self, kind: str, key: str, default: str = "") -> str:
        account = self.integration.account(kind)
        return str((account.settings if account else {}).get(key) or default)
