"""`integrations/{id}/export/` and `integrations/declare/` (issue 17, item 4): integrations as files."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from integrations.api.declaration_serializers import DeclareResponseSerializer
from integrations.api.schema import declaration_schema
from integrations.api.yaml_format import (
    DeclarationYAMLParser,
    TextYAMLParser,
    XYAMLParser,
    YAMLRenderer,
)
from integrations.declaration_actions import DeclarationAction, apply_declarations, plan_declarations
from integrations.declarations import MAX_DECLARATIONS, export_declaration
from tenants.api.parsers import BoundedJSONParser
from tenants.audit import Actor
from tenants.choices import Role

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


def _flag(request: Request, name: str) -> bool:
    value = str(request.query_params.get(name, "")).lower()
    if value not in _TRUE | _FALSE:
        raise ValidationError({name: ["Expected true or false."]})
    return value in _TRUE


def _answer(entries: list[dict[str, Any]], *, dry_run: bool, prune: bool) -> dict[str, Any]:
    summary = dict.fromkeys(
        (
            DeclarationAction.CREATE,
            DeclarationAction.UPDATE,
            DeclarationAction.DELETE,
            DeclarationAction.NOOP,
        ),
        0,
    )
    for entry in entries:
        summary[entry["action"]] += 1
    return {
        "dry_run": dry_run,
        "prune": prune,
        "changed": any(entry["changed"] for entry in entries),
        "summary": summary,
        "integrations": entries,
    }


class IntegrationDeclarationActions:
    """Mixed into the integrations viewset: export one integration, declare many."""

    declaration_action_roles = {"export": Role.VIEWER, "declare": Role.OPERATOR}

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if getattr(response, "status_code", 200) >= 400 and isinstance(
            getattr(response, "accepted_renderer", None), YAMLRenderer
        ):
            # Errors keep the API's JSON shape even when the client asked for a YAML declaration.
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
            response["Content-Type"] = "application/json"
        return response

    @extend_schema(
        responses={
            (200, "application/json"): declaration_schema(),
            (200, "application/yaml"): declaration_schema(),
        },
        summary="The integration as a declaration (YAML or JSON by Accept)",
        description=(
            "The create body with provider accounts by name, for a file kept in git: no id, no "
            "secret, nothing generated. `Accept: application/yaml` (or `?format=yaml`) for YAML. "
            "Declaring it again (`integrations/declare/`) changes nothing."
        ),
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, YAMLRenderer])
    def export(self, request: Request, pk: Any = None, format: str | None = None) -> Response:
        return Response(export_declaration(self.get_object()))  # type: ignore[attr-defined]

    @extend_schema(
        request={
            "application/json": declaration_schema(many=True),
            "application/yaml": declaration_schema(many=True),
        },
        parameters=[
            OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Only say what would change."),
            OpenApiParameter(
                "prune",
                OpenApiTypes.BOOL,
                description="Also tear down the tenant's integrations the body does not declare.",
            ),
        ],
        responses={
            200: DeclareResponseSerializer,
            202: DeclareResponseSerializer,
            400: OpenApiResponse(description="A bad declaration: `errors` keyed `<name>.<field>`"),
            409: OpenApiResponse(description="An apply was refused (e.g. vendor ids the account lacks)"),
        },
        summary="Declare integrations (plan with dry_run, else create / update and apply)",
        description=(
            "The body is one declaration (as `export` gives), a list of them, or YAML (documents "
            f"separated by `---`), at most {MAX_DECLARATIONS} integrations and 256 KB. Integrations "
            "are matched by name. With `dry_run=true` nothing changes: each integration says create / "
            "update / no-op (delete for undeclared ones with `prune=true`), its field changes and the "
            "engine's plan. A prune that declares nothing is refused. Without `dry_run`, every "
            "declaration is checked before any is saved; then integrations are created or updated and "
            "applies queued (teardowns for pruned ones): 202 when a run was queued, 200 when nothing "
            "needed to change. Declaring the same body twice changes nothing."
        ),
    )
    @action(
        detail=False,
        methods=["post"],
        parser_classes=[BoundedJSONParser, DeclarationYAMLParser, XYAMLParser, TextYAMLParser],
    )
    def declare(self, request: Request) -> Response:
        dry_run, prune = _flag(request, "dry_run"), _flag(request, "prune")
        if dry_run:
            entries = plan_declarations(request.tenant, request.data, prune=prune)  # type: ignore[attr-defined]
            return Response(_answer(entries, dry_run=True, prune=prune))
        entries = apply_declarations(
            request.tenant,  # type: ignore[attr-defined]
            request.data,
            actor=Actor.from_request(request),
            prune=prune,
        )
        queued = any(entry["changed"] and entry.get("run") for entry in entries)
        return Response(
            _answer(entries, dry_run=False, prune=prune),
            status=status.HTTP_202_ACCEPTED if queued else status.HTTP_200_OK,
        )
