"""One integration's blueprint together with its node rows, spec inputs and vendor clients."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from django.db import transaction

from integrations.engine.blueprint import Blueprint, SpecInputs
from integrations.engine.names import external_name
from integrations.engine.types import NodeContext, ResourceType
from integrations.kinds import blueprint_for
from integrations.models import ACCOUNT_FIELDS
from integrations.models.engine import NodeStatus, ResourceNode
from integrations.resources import get_resource_type
from integrations.vendors.clients import VendorClients, clients_for

if TYPE_CHECKING:
    from integrations.models import Integration

_EXISTING = (NodeStatus.READY, NodeStatus.DRIFTED)


class IntegrationGraph:
    """The blueprint of an integration with the rows recording what exists, ready to walk."""

    def __init__(
        self, integration: Integration, clients: VendorClients | None = None, *, create_rows: bool = True
    ) -> None:
        self.integration = integration
        self.blueprint: Blueprint = blueprint_for(integration.kind, integration.config)
        self.accounts = {
            kind: account for kind in ACCOUNT_FIELDS if (account := integration.account(kind)) is not None
        }
        self.clients = clients if clients is not None else clients_for(self.accounts)
        self._lock = threading.Lock()
        self.rows: dict[str, ResourceNode] = self._load_rows(create_rows)

    def _load_rows(self, create: bool) -> dict[str, ResourceNode]:
        rows = {row.node: row for row in ResourceNode.objects.filter(integration=self.integration)}
        missing = [node for node in self.blueprint.nodes if node.name not in rows]
        if missing and not create:
            # Read-only uses (a download, a page) see unsaved rows: nothing is written.
            for node in missing:
                rows[node.name] = ResourceNode(
                    integration=self.integration,
                    tenant_id=self.integration.tenant_id,
                    node=node.name,
                    type=node.type,
                )
        elif missing:
            with transaction.atomic():
                for node in missing:
                    row, _ = ResourceNode.objects.get_or_create(
                        integration=self.integration,
                        node=node.name,
                        defaults={"tenant_id": self.integration.tenant_id, "type": node.type},
                    )
                    rows[node.name] = row
        return rows

    def retired(self) -> list[str]:
        """Rows of nodes the blueprint no longer has whose object may still exist at the vendor.

        A node dropped from a blueprint (connect_vapi's termination, issue 12.6) is deleted by the
        next apply, heal-policy reconcile or teardown: its type's `delete` works from the external id.
        A node the integration's config no longer needs (a `when` condition) is still in the kind's
        whole blueprint: those go in reverse creation order, so a dependent goes before what it
        depends on (a SIP domain before the IP list mapped to it).
        """
        live = (NodeStatus.PENDING, NodeStatus.DELETED)
        names = [
            n for n, row in self.rows.items() if n not in self.blueprint.by_name and row.status not in live
        ]
        whole = blueprint_for(self.integration.kind).order()
        teardown_rank = {name: i for i, name in enumerate(reversed(whole))}
        return sorted(names, key=lambda n: (teardown_rank.get(n, -1), n))

    def retired_context(self, name: str) -> NodeContext:
        """The context of a retired node: no spec (its blueprint entry is gone), its saved ids only."""
        row = self.rows[name]
        return NodeContext(
            node=name,
            spec={},
            external_name=row.external_name,
            external_id=row.external_id,
            clients=self.clients,
            intent=dict(row.intent),
            save_intent=lambda intent: None,
            outputs=dict(row.outputs),
        )

    def resource_type(self, name: str) -> ResourceType:
        return get_resource_type(self.blueprint.by_name[name].type)

    def inputs(self) -> SpecInputs:
        """Spec inputs from the outputs of the nodes that exist now."""
        with self._lock:
            outputs = {
                name: dict(row.outputs)
                for name, row in self.rows.items()
                if row.status in _EXISTING and row.outputs
            }
        return SpecInputs(
            config=self.integration.config,
            accounts={kind: dict(account.settings) for kind, account in self.accounts.items()},
            integration_name=self.integration.name,
            tenant_slug=self.integration.tenant.slug,
            public_id=str(self.integration.public_id),
            outputs=outputs,
        )

    def spec(self, name: str) -> dict[str, Any]:
        return self.blueprint.by_name[name].spec(self.inputs())

    def name_for(self, name: str) -> str:
        """The node's external name: computed once, then kept, so a rename orphans nothing."""
        row = self.rows[name]
        if not row.external_name:
            row.external_name = external_name(
                self.integration.tenant.slug,
                self.integration.name,
                name,
                self.resource_type(name).name_max_length,
            )
            row.save(update_fields=["external_name", "updated_at"])
        return row.external_name

    def context(self, name: str, spec: dict[str, Any]) -> NodeContext:
        row = self.rows[name]

        def save_intent(intent: dict[str, Any]) -> None:
            row.intent = intent
            row.save(update_fields=["intent", "updated_at"])

        return NodeContext(
            node=name,
            spec=spec,
            external_name=self.name_for(name),
            external_id=row.external_id,
            clients=self.clients,
            intent=dict(row.intent),
            save_intent=save_intent,
            outputs=dict(row.outputs),
        )
